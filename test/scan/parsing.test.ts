import { describe, expect, it } from 'vitest';
import { durationMs, formatDuration, parseDuration, parseExpiry } from '../../src/scan/duration.js';
import { matchesNamePattern, isValidNamePattern } from '../../src/scan/name-pattern.js';
import { checkOsvRecord } from '../../src/scan/osv-record.js';
import { parseLevel } from '../../src/scan/severity.js';
import { expectCode } from '../helpers/expect-code.js';

describe('durations and expiries', () => {
  it('reads m, h, d, w and combinations; refuses the rest', () => {
    expect(durationMs('90m')).toBe(90 * 60_000);
    expect(durationMs('36h')).toBe(36 * 3_600_000);
    expect(durationMs('7d')).toBe(7 * 86_400_000);
    expect(durationMs('2w')).toBe(14 * 86_400_000);
    expect(durationMs('1d12h')).toBe(36 * 3_600_000);
    expect(durationMs(' 7D ')).toBe(7 * 86_400_000);
    for (const bad of ['', '7', 'd', '7x', '-1d', '0d', '1d 2', '1.5d', '999999w', 5, null]) expect(durationMs(bad), String(bad)).toBeNull();
    expect(formatDuration(7 * 86_400_000)).toBe('1w');
    expect(formatDuration(36 * 3_600_000)).toBe('36h');
    expect(formatDuration(90 * 60_000)).toBe('90m');
  });

  it('an expiry is a duration from now, a date (00:00 UTC that day) or an RFC 3339 time, and lies in the future', async () => {
    const now = new Date('2025-01-10T12:00:00.000Z');
    expect(parseExpiry('30d', now).toISOString()).toBe('2025-02-09T12:00:00.000Z');
    expect(parseExpiry('2025-03-31', now).toISOString()).toBe('2025-03-31T00:00:00.000Z');
    expect(parseExpiry('2025-01-11T08:00:00+02:00', now).toISOString()).toBe('2025-01-11T06:00:00.000Z');
    for (const bad of ['2025-02-30', 'tomorrow', '2025-01-10', '2024-12-31T00:00:00Z', '6000w']) await expectCode(() => parseExpiry(bad, now), 'E_INVALID_ARGUMENT');
    await expectCode(() => parseDuration('soon', '--max-advisory-age'), 'E_INVALID_ARGUMENT');
  });
});

describe('levels and name patterns', () => {
  it('levels: the four severities, medium as moderate, none/off', async () => {
    expect(parseLevel('HIGH', '--block')).toBe('high');
    expect(parseLevel('medium', '--block')).toBe('moderate');
    expect(parseLevel('off', '--warn')).toBe('none');
    await expectCode(() => parseLevel('severe', '--block'), 'E_INVALID_ARGUMENT');
    await expectCode(() => parseLevel('none', '--unknown-as', false), 'E_INVALID_ARGUMENT');
  });

  it('patterns: * matches any run of characters; the rest matches itself', () => {
    expect(matchesNamePattern('*', '@acme/x')).toBe(true);
    expect(matchesNamePattern('@acme/*', '@acme/web')).toBe(true);
    expect(matchesNamePattern('@acme/*', '@acme2/web')).toBe(false);
    expect(matchesNamePattern('lodash', 'lodash-es')).toBe(false);
    expect(matchesNamePattern('lodash.*', 'lodash.merge')).toBe(true);
    expect(matchesNamePattern('lodash.*', 'lodashxmerge')).toBe(false);
    expect(matchesNamePattern('a*c', 'abbbc')).toBe(true);
    for (const bad of ['', 'Upper', 'has space', 'a'.repeat(300), 'x|y']) expect(isValidNamePattern(bad), bad).toBe(false);
  });
});

describe('the shape of an OSV record', () => {
  it('accepts a minimal record and keeps unknown fields', () => {
    const r = checkOsvRecord({ id: 'OSV-2020-111', modified: '2020-01-01T00:00:00.123456Z', credits: [{ name: 'x' }] } as never);
    expect(r.ok && r.record['credits']).toEqual([{ name: 'x' }]);
  });

  it('reports every problem with its JSON pointer', () => {
    const r = checkOsvRecord({ id: 'has space', modified: 'yesterday', aliases: ['ok-1', 7], affected: [{ package: { ecosystem: 'npm' }, versions: [1], ranges: [{ type: 'SEMVER', events: [] }, { events: [{ fixed: 1 }] }] }], severity: {} } as never);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.map((p) => p.pointer)).toEqual(['/id', '/modified', '/aliases/1', '/severity', '/affected/0/package', '/affected/0/versions/0', '/affected/0/ranges/0/events', '/affected/0/ranges/1']);
    }
  });
});
