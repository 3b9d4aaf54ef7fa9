/**
 * The default versioning provider: SemVer 2.0.0 versions and node-semver ranges, plus the comma
 * form of SPEC §2. All the grammar lives in src/package/name-version.ts; this file adapts it to the
 * VersioningProvider contract.
 */
import semver from 'semver';
import { CORE_VERSION, type VersioningProvider } from '../../src/contracts/index.js';
import {
  compareVersions,
  isValidVersion,
  latestVersion,
  maxSatisfying,
  normalizeRange,
} from '../../src/package/name-version.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';

export type SemverVersioningOptions = Record<string, never>;

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
  const parsedVersion = memo(20_000, DEFAULT_LIMITS.maxVersionChars, (v) => (isValidVersion(v) ? new semver.SemVer(v) : null));
  const parsedRange = memo(5_000, DEFAULT_LIMITS.maxRangeChars, (r) => {
    const normalized = normalizeRange(r);
    if (normalized === null) return null;
    try {
      return new semver.Range(normalized, { loose: false, includePrerelease: false });
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
  return {
    info: { name: 'semver', family: 'versioning', coreRange: `^${CORE_VERSION}` },
    isValidVersion: (v) => typeof v === 'string' && parsedVersion(v) !== null,
    isValidRange: (r) => typeof r === 'string' && parsedRange(r) !== null,
    normalizeRange: (r) => normalizeRange(r),
    compare: (a, b) => {
      const x = typeof a === 'string' ? parsedVersion(a) : null;
      const y = typeof b === 'string' ? parsedVersion(b) : null;
      return x !== null && y !== null ? x.compare(y) : compareVersions(a, b);
    },
    satisfies: fastSatisfies,
    maxSatisfying: (vs, r) => maxSatisfying(vs, r),
    latest: (vs) => latestVersion(vs),
    isPrerelease: (v) => {
      const parsed = typeof v === 'string' ? parsedVersion(v) : null;
      return parsed !== null && parsed.prerelease.length > 0;
    },
  };
}

export default createSemverVersioning;
