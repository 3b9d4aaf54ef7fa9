import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/contracts/index.js';
import { createPinoAudit, GENESIS_HASH, verifyAuditLog } from '../../../providers/audit/pino.js';
import { expectCode } from '../../helpers/expect-code.js';
import { describeAuditConformance } from '../../conformance/audit.suite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-audit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function event(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return { time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), action: 'publish', actor: 'tester', outcome: 'success', name: `pkg-${i}`, version: '1.0.0', digest: `sha256:${'a'.repeat(64)}`, ...extra };
}

function writeLog(file: string, n: number): void {
  const sink = createPinoAudit({ file });
  for (let i = 0; i < n; i++) sink.record(event(i));
  sink.close?.();
}

await describeAuditConformance({
  name: 'pino',
  create: () => createPinoAudit({ file: path.join(mkdtempSync(path.join(os.tmpdir(), 'pakt-audit-conf-')), 'audit.log') }),
  read: (sink) => readFileSync(sink.file, 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Partial<AuditEvent>),
  cleanup: (sink) => rmSync(path.dirname(sink.file), { recursive: true, force: true }),
});

describe('pino audit sink', () => {
  it('writes one JSON line per record with the event fields and a hash chain', async () => {
    const file = path.join(dir, 'logs', 'audit.log');
    const sink = createPinoAudit({ file });
    sink.record(event(1));
    sink.record(event(2, { outcome: 'failure', code: 'E_VERSION_EXISTS', message: 'taken' }));
    sink.close?.();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ action: 'publish', actor: 'tester', outcome: 'success', name: 'pkg-1', version: '1.0.0', time: '2026-01-01T00:00:01.000Z', prev: GENESIS_HASH });
    expect(lines[1]).toMatchObject({ outcome: 'failure', code: 'E_VERSION_EXISTS', message: 'taken' });
    expect(lines[1]!['prev']).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[1]!['prev']).not.toBe(GENESIS_HASH);
    const check = await verifyAuditLog(file);
    expect(check).toMatchObject({ ok: true, lines: 2, forks: 0, problems: [] });
  });

  it('continues the chain across writers (each process opens its own sink)', async () => {
    const file = path.join(dir, 'audit.log');
    writeLog(file, 3);
    writeLog(file, 3);
    const a = createPinoAudit({ file });
    const b = createPinoAudit({ file });
    a.record(event(10));
    b.record(event(11)); // b has never written: it must read a's line as its prev
    a.record(event(12)); // a's file grew behind its back: it must read b's line
    a.close?.();
    b.close?.();
    const check = await verifyAuditLog(file);
    expect(check).toMatchObject({ ok: true, lines: 9, forks: 0 });
  });

  it('accepts writers that started an empty log at the same moment (each line names the empty log)', async () => {
    // What two processes opening an empty log at once write: each saw no line, so each starts
    // the chain; the next writer builds on the last line it finds.
    const first = path.join(dir, 'first.log');
    const second = path.join(dir, 'second.log');
    writeLog(first, 1);
    writeLog(second, 1);
    const file = path.join(dir, 'audit.log');
    writeFileSync(file, readFileSync(first, 'utf8') + readFileSync(second, 'utf8'));
    writeLog(file, 2);
    const check = await verifyAuditLog(file);
    expect(check).toMatchObject({ ok: true, lines: 4, forks: 1, problems: [] });
  });

  it('detects a foreign chain spliced in after the chain was built on', async () => {
    const file = path.join(dir, 'audit.log');
    writeLog(file, 3);
    const foreign = path.join(dir, 'foreign.log');
    writeLog(foreign, 2);
    appendFileSync(file, readFileSync(foreign, 'utf8'));
    const check = await verifyAuditLog(file);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([{ line: 4, reason: 'a second chain start after the chain was built on: the log was spliced' }]);
  });

  it('detects an edited, a deleted and a reordered line', async () => {
    const file = path.join(dir, 'audit.log');
    writeLog(file, 5);
    const original = readFileSync(file, 'utf8').trimEnd().split('\n');

    writeFileSync(file, original.map((l, i) => (i === 1 ? l.replace('pkg-1', 'pkg-X') : l)).join('\n') + '\n');
    let check = await verifyAuditLog(file);
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.line)).toEqual([3]);

    writeFileSync(file, original.filter((_, i) => i !== 2).join('\n') + '\n');
    check = await verifyAuditLog(file);
    expect(check.ok).toBe(false);
    expect(check.problems[0]!.line).toBe(3);

    const swapped = [...original];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    writeFileSync(file, swapped.join('\n') + '\n');
    check = await verifyAuditLog(file);
    expect(check.ok).toBe(false);

    writeFileSync(file, original.join('\n') + '\n');
    appendFileSync(file, 'not json\n');
    check = await verifyAuditLog(file);
    expect(check.problems).toEqual([{ line: 6, reason: 'not a JSON line' }]);
  });

  it('reports the head hash, which changes when the last line is cut off', async () => {
    const file = path.join(dir, 'audit.log');
    writeLog(file, 3);
    const before = await verifyAuditLog(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, lines.slice(0, 2).join('\n') + '\n');
    const after = await verifyAuditLog(file);
    expect(after.ok).toBe(true); // a chain alone cannot see a cut tail...
    expect(after.head).not.toBe(before.head); // ...but an anchored head can
  });

  it('refuses a missing file option and use after close', async () => {
    await expectCode(() => createPinoAudit({ file: '' }), 'E_PROVIDER_OPTION');
    const sink = createPinoAudit({ file: path.join(dir, 'a.log') });
    sink.close?.();
    sink.close?.();
    await expectCode(() => sink.record(event(1)), 'E_CLOSED');
  });
});
