/**
 * A small calendar-versioning provider, as a host would write one: versions `YYYY.MM` or
 * `YYYY.MM.N` (month zero-padded, N a patch counter), ordered by year, month, then patch, with
 * `2024.05` before `2024.05.1`. Ranges are comparators joined by spaces (all must hold), `*`, or
 * a prefix such as `2024.*` / `2024.05.*`. None of these is SemVer: the registry must ask this
 * provider, never SemVer, for a store to accept them.
 */
import { CORE_VERSION, type VersioningProvider } from '../../src/contracts/index.js';

const VERSION = /^(2\d{3})\.(0[1-9]|1[0-2])(?:\.(0|[1-9]\d{0,5}))?$/;
const PREFIX = /^(2\d{3})(?:\.(0[1-9]|1[0-2]))?\.\*$/;
const COMPARATOR = /^(>=|<=|>|<|=)?(.+)$/;

type Parts = [number, number, number];

function parse(v: unknown): Parts | null {
  if (typeof v !== 'string' || v.length > 20) return null;
  const m = VERSION.exec(v);
  return m ? [Number(m[1]), Number(m[2]), m[3] === undefined ? -1 : Number(m[3])] : null;
}

function cmp(a: Parts, b: Parts): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

type Test = (v: Parts) => boolean;

function compile(range: unknown): Test[] | null {
  if (typeof range !== 'string' || range.length > 200) return null;
  const trimmed = range.trim();
  if (trimmed === '*') return [() => true];
  const parts = trimmed.split(/\s+/);
  if (parts.length === 0 || parts[0] === '') return null;
  const tests: Test[] = [];
  for (const part of parts) {
    const prefix = PREFIX.exec(part);
    if (prefix) {
      const year = Number(prefix[1]);
      const month = prefix[2] === undefined ? undefined : Number(prefix[2]);
      tests.push((v) => v[0] === year && (month === undefined || v[1] === month));
      continue;
    }
    const m = COMPARATOR.exec(part);
    const target = m ? parse(m[2]) : null;
    if (!m || !target) return null;
    const op = m[1] ?? '=';
    tests.push((v) => {
      const c = cmp(v, target);
      return op === '>=' ? c >= 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '<' ? c < 0 : c === 0;
    });
  }
  return tests;
}

export function createCalverVersioning(): VersioningProvider {
  const satisfies = (v: string, r: string): boolean => {
    const parts = parse(v);
    const tests = compile(r);
    return parts !== null && tests !== null && tests.every((t) => t(parts));
  };
  const highest = (versions: readonly string[], admit: (v: string) => boolean): string | null => {
    if (!Array.isArray(versions)) return null;
    let best: string | null = null;
    for (const v of versions) {
      if (parse(v) === null || !admit(v)) continue;
      if (best === null || cmp(parse(v)!, parse(best)!) > 0) best = v;
    }
    return best;
  };
  return {
    info: { name: 'calver', family: 'versioning', coreRange: `^${CORE_VERSION}` },
    syntax: { version: 'a calendar version YYYY.MM or YYYY.MM.N (e.g. 2024.05 or 2024.05.2)', range: 'calendar comparators joined by spaces (e.g. >=2024.05 <2025.01), `*`, or a prefix such as 2024.*' },
    isValidVersion: (v) => parse(v) !== null,
    isValidRange: (r) => compile(r) !== null,
    normalizeRange: (r) => (compile(r) === null ? null : r.trim().split(/\s+/).join(' ')),
    compare: (a, b) => cmp(parse(a)!, parse(b)!),
    satisfies,
    maxSatisfying: (versions, range) => (compile(range) === null ? null : highest(versions, (v) => satisfies(v, range))),
    latest: (versions) => highest(versions, () => true),
    isPrerelease: () => false,
  };
}

/** Samples for the versioning conformance suite, in ascending order. */
export const CALVER_SAMPLES = {
  versions: ['2023.12.4', '2024.01', '2024.05', '2024.05.1', '2024.05.10', '2024.11', '2025.01.3'],
  prereleases: [],
  invalidVersions: ['', '2024', '2024.5', '2024.13', '1.0.0', '2024.05.01', 'v2024.05', 'latest', 'x'.repeat(300)],
  ranges: [
    { range: '*', admits: ['2023.12.4', '2024.01', '2024.05', '2024.05.1', '2024.05.10', '2024.11', '2025.01.3'] },
    { range: '2024.*', admits: ['2024.01', '2024.05', '2024.05.1', '2024.05.10', '2024.11'] },
    { range: '2024.05.*', admits: ['2024.05', '2024.05.1', '2024.05.10'] },
    { range: '>=2024.05 <2024.11', admits: ['2024.05', '2024.05.1', '2024.05.10'] },
    { range: '>2024.05.1', admits: ['2024.05.10', '2024.11', '2025.01.3'] },
    { range: '=2024.11', admits: ['2024.11'] },
    { range: '<2023.01', admits: [] },
  ],
  invalidRanges: ['^2024.05', '>=1.0.0', '2024.5.*', 'not a range', '>=', 'x'.repeat(5000)],
} as const;
