/**
 * The default versioning provider: SemVer 2.0.0 versions and node-semver ranges, plus the comma
 * form of SPEC §2. All the grammar lives in src/package/name-version.ts; this file adapts it to the
 * VersioningProvider contract.
 */
import semver from 'semver';
import { CORE_VERSION, type VersioningProvider } from '../../src/contracts/index.js';
import {
  compareVersions,
  isValidRange,
  isValidVersion,
  latestVersion,
  maxSatisfying,
  normalizeRange,
  satisfies,
} from '../../src/package/name-version.js';

export type SemverVersioningOptions = Record<string, never>;

export function createSemverVersioning(_options: SemverVersioningOptions = {}): VersioningProvider {
  return {
    info: { name: 'semver', family: 'versioning', coreRange: `^${CORE_VERSION}` },
    isValidVersion: (v) => isValidVersion(v),
    isValidRange: (r) => isValidRange(r),
    normalizeRange: (r) => normalizeRange(r),
    compare: (a, b) => compareVersions(a, b),
    satisfies: (v, r) => satisfies(v, r),
    maxSatisfying: (vs, r) => maxSatisfying(vs, r),
    latest: (vs) => latestVersion(vs),
    isPrerelease: (v) => isValidVersion(v) && semver.prerelease(v) !== null,
  };
}

export default createSemverVersioning;
