/**
 * The versioning provider conformance suite: what the resolver and the registry rely on from any
 * VersioningProvider. The samples default to SemVer; a provider with another scheme (calendar
 * versions, say) passes its own:
 *
 *   describeVersioningConformance({ name: 'calver', create: () => createCalver(), samples: { ... } });
 */
import { describe, expect, it } from 'vitest';
import type { VersioningProvider } from '../../src/contracts/index.js';
import { CASE_TIMEOUT_MS, conformanceCases } from './harness.js';

export interface VersioningSamples {
  /** Valid versions in ascending order of precedence, no two equal; include prereleases if the scheme has them. */
  versions: readonly string[];
  /** Which of `versions` are prereleases. */
  prereleases: readonly string[];
  /** Strings that are not versions. */
  invalidVersions: readonly string[];
  /** Valid ranges, each with exactly the members of `versions` it admits. */
  ranges: ReadonlyArray<{ range: string; admits: readonly string[] }>;
  /** Strings that are not ranges. */
  invalidRanges: readonly string[];
}

export interface VersioningConformanceOptions {
  /** Shown in the suite title. */
  name: string;
  create: () => VersioningProvider;
  /** Defaults to SemVer 2.0.0 / node-semver samples. */
  samples?: VersioningSamples;
  /** Titles of cases to skip (known gaps, listed openly). */
  skip?: readonly string[];
}

export const SEMVER_SAMPLES: VersioningSamples = {
  versions: ['0.0.1', '0.1.0', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0', '1.2.3', '1.10.0', '2.0.0-rc.1', '2.0.0', '10.0.0'],
  prereleases: ['1.0.0-alpha', '1.0.0-beta.2', '2.0.0-rc.1'],
  invalidVersions: ['', '1', '1.0', 'v1.0.0', '01.0.0', '1.0.0.0', '1.0.0-', 'latest', ' 1.0.0', 'x'.repeat(300)],
  ranges: [
    { range: '*', admits: ['0.0.1', '0.1.0', '1.0.0', '1.2.3', '1.10.0', '2.0.0', '10.0.0'] },
    { range: '^1.0.0', admits: ['1.0.0', '1.2.3', '1.10.0'] },
    { range: '~1.2', admits: ['1.2.3'] },
    { range: '>=1.0.0-beta.1 <2.0.0', admits: ['1.0.0-beta.2', '1.0.0', '1.2.3', '1.10.0'] },
    { range: '>=1.0.0,<2.0.0', admits: ['1.0.0', '1.2.3', '1.10.0'] },
    { range: '==1.2.3', admits: ['1.2.3'] },
    { range: '^2.0.0-rc.0 || <0.1.0', admits: ['0.0.1', '2.0.0-rc.1', '2.0.0'] },
    { range: '1.2.3 - 2.0.0', admits: ['1.2.3', '1.10.0', '2.0.0'] },
    { range: '>10.0.0', admits: [] },
  ],
  invalidRanges: ['^^1', '>=1.0.0,', ',<2', 'not a range', '1.0.0 -', '>=1.0.0,,<2.0.0', 'x'.repeat(5000)],
};

const JUNK: unknown[] = [undefined, null, 0, 1.5, {}, [], Symbol('s'), '\u0000', 'x'.repeat(100_000)];
/** Not versions; as ranges, node-semver reads an empty range as `*`, so these are checked as versions only. */
const BLANK = ['', ' '];

export function describeVersioningConformance(options: VersioningConformanceOptions): void {
  const s = options.samples ?? SEMVER_SAMPLES;
  const { test, isSkipped } = conformanceCases(options.skip);
  const p = options.create();
  const highest = (list: readonly string[]): string | null => (list.length === 0 ? null : list.reduce((a, b) => (p.compare(a, b) >= 0 ? a : b)));

  describe(`versioning conformance: ${options.name}`, () => {
    test('declares itself a versioning provider', () => {
      expect(p.info.family).toBe('versioning');
      expect(typeof p.info.name).toBe('string');
    });

    test('every predicate is total: junk gives false or null, never an exception', () => {
      for (const junk of JUNK) {
        const j = junk as string;
        expect(p.isValidVersion(j)).toBe(false);
        expect(p.isValidRange(j)).toBe(false);
        expect(p.normalizeRange(j)).toBeNull();
        expect(p.satisfies(j, '*')).toBe(false);
        expect(p.satisfies(s.versions[0]!, j)).toBe(false);
        expect(p.isPrerelease(j)).toBe(false);
        expect(p.maxSatisfying(s.versions, j)).toBeNull();
      }
      for (const blank of BLANK) {
        expect(p.isValidVersion(blank)).toBe(false);
        expect(p.isPrerelease(blank)).toBe(false);
        expect(p.satisfies(blank, '*')).toBe(false);
      }
    });

    test('tells versions from non-versions', () => {
      for (const v of s.versions) expect(p.isValidVersion(v), v).toBe(true);
      for (const v of s.invalidVersions) expect(p.isValidVersion(v), v).toBe(false);
    });

    test('compare is a total order that matches the samples', () => {
      for (let i = 0; i < s.versions.length; i++) {
        for (let j = 0; j < s.versions.length; j++) {
          const c = Math.sign(p.compare(s.versions[i]!, s.versions[j]!));
          expect(c, `${s.versions[i]} vs ${s.versions[j]}`).toBe(Math.sign(i - j));
        }
      }
    });

    test('tells prereleases apart', () => {
      for (const v of s.versions) expect(p.isPrerelease(v), v).toBe(s.prereleases.includes(v));
    });

    test('satisfies admits exactly what each sample range admits', () => {
      for (const { range, admits } of s.ranges) {
        expect(p.isValidRange(range), range).toBe(true);
        expect(s.versions.filter((v) => p.satisfies(v, range)), range).toEqual(admits);
      }
    });

    test('refuses invalid ranges everywhere', () => {
      for (const range of s.invalidRanges) {
        expect(p.isValidRange(range), range).toBe(false);
        expect(p.normalizeRange(range), range).toBeNull();
        expect(s.versions.some((v) => p.satisfies(v, range)), range).toBe(false);
      }
    });

    test('normalizeRange gives a valid range that means the same', () => {
      for (const { range, admits } of s.ranges) {
        const normal = p.normalizeRange(range);
        expect(normal, range).not.toBeNull();
        expect(p.isValidRange(normal!)).toBe(true);
        expect(s.versions.filter((v) => p.satisfies(v, normal!)), `${range} → ${normal}`).toEqual(admits);
      }
    });

    test('maxSatisfying is the highest admitted version, or null', () => {
      for (const { range, admits } of s.ranges) {
        expect(p.maxSatisfying([...s.versions].reverse(), range), range).toBe(highest(admits));
      }
    });

    test('latest is the highest non-prerelease version, or null', () => {
      const releases = s.versions.filter((v) => !s.prereleases.includes(v));
      expect(p.latest([...s.versions].reverse())).toBe(highest(releases));
      expect(p.latest(s.prereleases)).toBeNull();
      expect(p.latest([])).toBeNull();
    });

    const select = p.selectSatisfying?.bind(p);
    it.skipIf(select === undefined || isSkipped('selectSatisfying equals filtering with satisfies'))(
      select === undefined ? 'selectSatisfying equals filtering with satisfies [unsupported: optional method absent]' : 'selectSatisfying equals filtering with satisfies',
      () => {
        for (const { range } of s.ranges) {
          const expected = s.versions.flatMap((v, i) => (p.satisfies(v, range) ? [i] : []));
          expect(select!(s.versions, range), range).toEqual(expected);
        }
        for (const range of s.invalidRanges) expect(select!(s.versions, range), range).toEqual([]);
        expect(select!([], '*')).toEqual([]);
      },
      CASE_TIMEOUT_MS,
    );

    test('answers stay the same when asked again in another order (no state leaks between calls)', () => {
      const first = s.ranges.map(({ range }) => s.versions.map((v) => p.satisfies(v, range)));
      const again = [...s.ranges].reverse().map(({ range }) => [...s.versions].reverse().map((v) => p.satisfies(v, range)).reverse()).reverse();
      expect(again).toEqual(first);
    });
  });
}
