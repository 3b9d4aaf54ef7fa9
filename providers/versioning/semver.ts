/**
 * The default versioning provider: SemVer 2.0.0 versions and node-semver ranges, plus the comma
 * form of SPEC §2. All the grammar lives in src/package/name-version.ts; this file adapts it to the
 * VersioningProvider contract.
 */
// The classes alone: the whole of `semver` is 48 modules to load for every CLI command.
import Comparator from 'semver/classes/comparator.js';
import Range from 'semver/classes/range.js';
import SemVer from 'semver/classes/semver.js';
import { CORE_VERSION, type VersioningProvider } from '../../src/contracts/index.js';
import { compareVersions, isValidVersion, normalizeRange, SEMVER_DESCRIPTION } from '../../src/package/name-version.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { partitionPoint } from '../../src/util/partition-point.js';

export type SemverVersioningOptions = Record<string, never>;

/** node-semver's marker for a comparator that admits everything (`*`); missing from its types. */
const ANY: unknown = (Comparator as unknown as { ANY: unknown }).ANY;

/**
 * A bounded memo for one provider instance. The resolver asks `satisfies` for every version of a
 * package against every range it meets (hundreds of thousands of calls on a large registry), and
 * parsing the same strings again each time dominated its run time. A long-lived provider meets
 * unboundedly many strings, so the memo is simply emptied when full; strings longer than the
 * grammar allows are never stored (they are invalid anyway, and keys stay small).
 */
function memo<T>(limit: number, maxKeyChars: number, compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (key.length > maxKeyChars) return compute(key);
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    const value = compute(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}

export function createSemverVersioning(_options: SemverVersioningOptions = {}): VersioningProvider {
  const parsedVersion = memo(20_000, DEFAULT_LIMITS.maxVersionChars, (v) => (isValidVersion(v) ? new SemVer(v) : null));
  const parsedRange = memo(5_000, DEFAULT_LIMITS.maxRangeChars, (r) => {
    const normalized = normalizeRange(r);
    if (normalized === null) return null;
    try {
      return new Range(normalized, { loose: false, includePrerelease: false });
    } catch {
      return null;
    }
  });
  // Same answer as satisfies() in name-version.ts (a test checks it), from parsed forms.
  const fastSatisfies = (v: string, r: string): boolean => {
    if (typeof v !== 'string' || typeof r !== 'string') return false;
    const version = parsedVersion(v);
    if (version === null) return false;
    const range = parsedRange(r);
    return range !== null && range.test(version);
  };
  /**
   * Parsed and order-checked forms of the version lists selectSatisfying is given. The resolver
   * passes the same array for a package every time, so each list is prepared once; a list changed
   * since (same array, other contents) is noticed by comparing the strings and prepared again.
   */
  const prepared = new WeakMap<readonly string[], { strings: string[]; parsed: SemVer[]; sorted: boolean }>();
  const unchanged = (strings: readonly string[], versions: readonly string[]): boolean =>
    strings.length === versions.length && strings.every((v, i) => v === versions[i]);
  const prepare = (versions: readonly string[]): { parsed: SemVer[]; sorted: boolean } => {
    let entry = prepared.get(versions);
    if (!entry || !unchanged(entry.strings, versions)) {
      const parsed: SemVer[] = [];
      let sorted = true;
      for (const v of versions) {
        const p = typeof v === 'string' ? parsedVersion(v) : null;
        if (p === null) {
          sorted = false;
          break;
        }
        if (parsed.length > 0 && parsed[parsed.length - 1]!.compare(p) > 0) sorted = false;
        parsed.push(p);
      }
      entry = { strings: [...versions], parsed, sorted };
      prepared.set(versions, entry);
    }
    return entry;
  };

  /**
   * node-semver's Range.test, run over a sorted list at once. Each alternative of a parsed range
   * is a conjunction of primitive comparators (<, <=, >, >=, =), each true on a prefix, a suffix
   * or a run of the list sorted by precedence, so the alternative holds on one run [lo, hi) found
   * by binary search. Inside it, release versions pass; a prerelease passes only when a
   * comparator of the alternative names a prerelease of the same major.minor.patch (node-semver's
   * testSet). Unknown operators or an unsorted list fall back to testing each version.
   */
  const selectSatisfying = (versions: readonly string[], r: string): number[] => {
    const out: number[] = [];
    if (typeof r !== 'string' || !Array.isArray(versions)) return out;
    const range = parsedRange(r);
    if (range === null) return out;
    const { parsed, sorted } = prepare(versions);
    const oneByOne = (): number[] => {
      for (let i = 0; i < versions.length; i++) if (fastSatisfies(versions[i]!, r)) out.push(i);
      return out;
    };
    if (!sorted) return oneByOne();
    const n = parsed.length;
    /** First index whose version compares to s with a result passing `ok` (a monotone test). */
    const first = (s: SemVer, ok: (c: number) => boolean): number => partitionPoint(n, (i) => ok(parsed[i]!.compare(s)));
    const hit = new Uint8Array(n);
    for (const set of range.set) {
      let lo = 0;
      let hi = n;
      const prereleaseOk: SemVer[] = [];
      for (const c of set) {
        if (c.semver === ANY) continue;
        const s = c.semver as SemVer;
        if (s.prerelease.length > 0) prereleaseOk.push(s);
        switch (c.operator) {
          case '':
          case '=':
            lo = Math.max(lo, first(s, (x) => x >= 0));
            hi = Math.min(hi, first(s, (x) => x > 0));
            break;
          case '>':
            lo = Math.max(lo, first(s, (x) => x > 0));
            break;
          case '>=':
            lo = Math.max(lo, first(s, (x) => x >= 0));
            break;
          case '<':
            hi = Math.min(hi, first(s, (x) => x >= 0));
            break;
          case '<=':
            hi = Math.min(hi, first(s, (x) => x > 0));
            break;
          default:
            return oneByOne();
        }
      }
      for (let i = lo; i < hi; i++) {
        const v = parsed[i]!;
        if (v.prerelease.length === 0 || prereleaseOk.some((a) => a.major === v.major && a.minor === v.minor && a.patch === v.patch)) hit[i] = 1;
      }
    }
    for (let i = 0; i < n; i++) if (hit[i] === 1) out.push(i);
    return out;
  };

  /** The highest valid version of `versions` that passes `admit`, as given; null when none does. */
  const highest = (versions: readonly string[], admit: (v: SemVer) => boolean): string | null => {
    let best: SemVer | null = null;
    let bestString: string | null = null;
    for (const v of versions) {
      const parsed = typeof v === 'string' ? parsedVersion(v) : null;
      if (parsed === null || !admit(parsed)) continue;
      if (best === null || parsed.compare(best) > 0) {
        best = parsed;
        bestString = v;
      }
    }
    return bestString;
  };

  return {
    info: { name: 'semver', family: 'versioning', coreRange: `^${CORE_VERSION}` },
    syntax: SEMVER_DESCRIPTION,
    selectSatisfying,
    isValidVersion: (v) => typeof v === 'string' && parsedVersion(v) !== null,
    isValidRange: (r) => typeof r === 'string' && parsedRange(r) !== null,
    normalizeRange: (r) => normalizeRange(r),
    compare: (a, b) => {
      const x = typeof a === 'string' ? parsedVersion(a) : null;
      const y = typeof b === 'string' ? parsedVersion(b) : null;
      return x !== null && y !== null ? x.compare(y) : compareVersions(a, b);
    },
    satisfies: fastSatisfies,
    // Both from the memoised parsed forms: `info` and publish ask them over every version of a
    // package, and re-parsing each string at every comparison dominated them. Same answers as
    // name-version.ts (a test checks it).
    maxSatisfying: (vs, r) => {
      const range = typeof r === 'string' ? parsedRange(r) : null;
      if (range === null || !Array.isArray(vs)) return null;
      return highest(vs, (v) => range.test(v));
    },
    latest: (vs) => (Array.isArray(vs) ? highest(vs, (v) => v.prerelease.length === 0) : null),
    isPrerelease: (v) => {
      const parsed = typeof v === 'string' ? parsedVersion(v) : null;
      return parsed !== null && parsed.prerelease.length > 0;
    },
  };
}

export default createSemverVersioning;
