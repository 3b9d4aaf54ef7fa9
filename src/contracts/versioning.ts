import type { Provider } from './provider.js';

/**
 * What judging a package's metadata.json needs of a version scheme: whether a string is a
 * version, whether one is a range. Every VersioningProvider is one; the validation contract takes
 * it (ValidateOptions.versioning) so that a validator asks the registry's own scheme.
 */
export interface VersionSyntax {
  isValidVersion(version: string): boolean;
  isValidRange(range: string): boolean;
  /** Optional: how a valid version and a valid range look, for messages ("strict SemVer 2.0.0, e.g. 1.2.3"). */
  readonly syntax?: { readonly version: string; readonly range: string };
  /** The scheme's name, for messages when `syntax` is absent (a VersioningProvider's info has it). */
  readonly info?: { readonly name: string };
}

/**
 * Versions and ranges (SPEC §2). Every method is total: invalid input gives false or null, never
 * an exception. The resolver uses only this interface, so a provider with another version scheme
 * (calendar versions, say) works with it unchanged.
 */
export interface VersioningProvider extends Provider {
  isValidVersion(version: string): boolean;
  isValidRange(range: string): boolean;
  /** Optional: how a valid version and a valid range look, for messages (see VersionSyntax). */
  readonly syntax?: { readonly version: string; readonly range: string };
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
