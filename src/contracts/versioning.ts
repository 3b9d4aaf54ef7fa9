import type { Provider } from './provider.js';

/**
 * Versions and ranges (SPEC §2). Every method is total: invalid input gives false or null, never
 * an exception. The resolver uses only this interface, so a provider with another version scheme
 * (calendar versions, say) works with it unchanged.
 */
export interface VersioningProvider extends Provider {
  isValidVersion(version: string): boolean;
  isValidRange(range: string): boolean;
  /** The range in canonical form (node-semver syntax for the default provider), or null when invalid. */
  normalizeRange(range: string): string | null;
  /** Negative, zero or positive, by precedence. Both must be valid versions. */
  compare(a: string, b: string): number;
  satisfies(version: string, range: string): boolean;
  /** Highest version in range, or null. */
  maxSatisfying(versions: readonly string[], range: string): string | null;
  /** Highest non-prerelease version (what `latest` means), or null. */
  latest(versions: readonly string[]): string | null;
  isPrerelease(version: string): boolean;
  /**
   * Optional, for speed: the indices (ascending) of the versions in `sortedVersions` that satisfy
   * `range`, where `sortedVersions` is ascending by compare(). Must give exactly what filtering
   * with satisfies() gives. The resolver calls it for every (package, range) it meets; without it,
   * it asks satisfies() once per version.
   */
  selectSatisfying?(sortedVersions: readonly string[], range: string): number[];
}
