/**
 * Random OSV records and random versions: the provider's answers against a second, deliberately
 * simple reading of the schema written here, on node-semver's ordering rather than ours.
 *
 * The reading: a version is affected by an affected[] entry of its package when it is listed in
 * versions[], or when, in one of the entry's SEMVER/ECOSYSTEM ranges that it lies below a limit
 * of (or that has none), the last event (in version order, "0" first, ties in record order) that
 * "fires" for it is an `introduced` (introduced and fixed fire at or below it, last_affected
 * strictly below it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { OsvAffected, OsvRecord } from '../../../../src/contracts/index.js';
import { createOsvScanner } from '../../../../providers/scanner/osv/index.js';
import { prng } from '../../../helpers/prng.js';

type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

const PRE = ['', '', '', '-alpha', '-beta.1', '-beta.2', '-rc.1', '-0'];
function randomVersion(rand: Rand): string {
  return `${Math.floor(rand() * 3)}.${Math.floor(rand() * 3)}.${Math.floor(rand() * 3)}${pick(rand, PRE)}`;
}

function randomEvents(rand: Rand): Array<Record<string, string>> {
  const events: Array<Record<string, string>> = [];
  const n = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) events.push({ introduced: rand() < 0.25 ? '0' : randomVersion(rand) });
    else if (r < 0.7) events.push({ fixed: randomVersion(rand) });
    else if (r < 0.85) events.push({ last_affected: randomVersion(rand) });
    else events.push({ limit: rand() < 0.3 ? '*' : randomVersion(rand) });
  }
  // The schema requires an introduced event (a range without one is refused at import).
  if (!events.some((e) => e['introduced'] !== undefined)) events.splice(Math.floor(rand() * (events.length + 1)), 0, { introduced: rand() < 0.5 ? '0' : randomVersion(rand) });
  return events;
}

function randomRecord(rand: Rand, i: number): OsvRecord {
  const affected: OsvAffected[] = [];
  const entries = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < entries; e++) {
    const ranges = Array.from({ length: Math.floor(rand() * 3) }, () => ({ type: pick(rand, ['SEMVER', 'ECOSYSTEM', 'ECOSYSTEM', 'GIT']), events: randomEvents(rand) }));
    const versions = rand() < 0.3 ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomVersion(rand)) : undefined;
    affected.push({
      package: { ecosystem: rand() < 0.9 ? 'npm' : 'PyPI', name: pick(rand, ['pkg', 'pkg', 'Pkg', 'pkg-es', 'other']) },
      ranges: ranges.map((r) => (r.type === 'GIT' ? { ...r, repo: 'https://example.org/repo' } : r)),
      ...(versions ? { versions } : {}),
    });
  }
  return { id: `TEST-${i}`, modified: '2024-01-01T00:00:00Z', affected, database_specific: { severity: 'HIGH' } } as OsvRecord;
}

// ---- the simple reading -------------------------------------------------------------------

function order(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '0') return -1;
  if (b === '0') return 1;
  return semver.compare(a, b);
}

function fires(kind: string, at: string, v: string): boolean {
  if (kind === 'introduced') return at === '0' || semver.gte(v, at);
  if (kind === 'fixed') return semver.gte(v, at);
  return semver.gt(v, at); // last_affected
}

function rangeAffects(events: ReadonlyArray<Record<string, string>>, v: string): boolean {
  const limits = events.filter((e) => e['limit'] !== undefined).map((e) => e['limit']!);
  if (limits.length > 0 && !limits.some((l) => l.includes('*') || semver.lt(v, l))) return false;
  const timeline = events
    .map((e, index) => ({ kind: Object.keys(e)[0]!, at: Object.values(e)[0]!, index }))
    .filter((e) => e.kind !== 'limit')
    .sort((a, b) => order(a.at, b.at) || a.index - b.index);
  const fired = timeline.filter((e) => fires(e.kind, e.at, v));
  return fired.length > 0 && fired[fired.length - 1]!.kind === 'introduced';
}

function simpleAffects(record: OsvRecord, name: string, v: string): boolean {
  return (record.affected ?? []).some((a) => {
    if (a.package.ecosystem !== 'npm' || a.package.name.toLowerCase() !== name) return false;
    if ((a.versions ?? []).includes(v)) return true;
    return (a.ranges ?? []).some((r) => (r.type === 'SEMVER' || r.type === 'ECOSYSTEM') && rangeAffects(r.events as Array<Record<string, string>>, v));
  });
}

describe('OSV evaluation, property: random records and versions against a simple reading', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: 250 random records, every version of a small universe', async (seed) => {
    const rand = prng(seed * 7919);
    const records = Array.from({ length: 250 }, (_, i) => randomRecord(rand, i));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-prop-'));
    const scanner = createOsvScanner({ path: path.join(dir, 'a.db'), synchronous: 'normal' });
    try {
      await scanner.importRecords(records, { importedAt: '2024-06-01T00:00:00.000Z' });
      const universe = new Set<string>();
      for (let major = 0; major < 4; major++) for (let minor = 0; minor < 3; minor++) for (let patch = 0; patch < 3; patch++) for (const pre of PRE) universe.add(`${major}.${minor}.${patch}${pre}`);
      const versions = [...universe];
      let affectedPairs = 0;
      for (const name of ['pkg', 'pkg-es', 'other', 'pkg.es']) {
        const answer = await scanner.affecting(name, versions);
        for (const v of versions) {
          const got = (answer.get(v) ?? []).map((m) => m.id).sort();
          const want = records.filter((r) => simpleAffects(r, name, v)).map((r) => r.id).sort();
          expect(got, `${name}@${v}`).toEqual(want);
          affectedPairs += want.length;
        }
      }
      // The generator must produce both outcomes in quantity, or the comparison proves little.
      expect(affectedPairs).toBeGreaterThan(500);
    } finally {
      scanner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
