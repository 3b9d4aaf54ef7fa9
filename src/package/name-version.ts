/**
 * The one grammar for package names, versions and ranges (SPEC §1-2).
 *
 * Every function here is total: junk in gives `false` or `null` out, never an exception, and
 * every untrusted string is length-capped before a regex or node-semver sees it (node-semver's
 * own cap is 256 characters for versions, and its range parser is not ReDoS-proof on long input).
 */
// Only the functions used: the whole of `semver` is 48 modules to load for every CLI command.
import compare from 'semver/functions/compare.js';
import parse from 'semver/functions/parse.js';
import prerelease from 'semver/functions/prerelease.js';
import semverSatisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { DEFAULT_LIMITS } from '../limits.js';

const NAME_PATTERN = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** Strict SemVer 2.0.0 (the grammar published at semver.org), no `v`, no `=`, no spaces. */
const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isValidName(name: unknown, maxChars: number = DEFAULT_LIMITS.maxNameChars): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= maxChars && NAME_PATTERN.test(name);
}

export function isValidVersion(version: unknown, maxChars: number = DEFAULT_LIMITS.maxVersionChars): version is string {
  if (typeof version !== 'string' || version.length === 0 || version.length > maxChars) return false;
  if (!SEMVER_PATTERN.test(version)) return false;
  // node-semver refuses numeric parts above Number.MAX_SAFE_INTEGER; so do we, so every valid
  // version can also be compared.
  return parse(version) !== null;
}

/**
 * Translates a range into node-semver syntax, or returns null when it is not a valid range.
 * Accepts node-semver ranges and the comma form used by Python tools, where a comma means AND
 * (`>=1.0.0,<2.0.0`) and `==X` means `=X`. `latest` is not a range; see isLatestTag.
 */
export function normalizeRange(range: unknown, maxChars: number = DEFAULT_LIMITS.maxRangeChars): string | null {
  if (typeof range !== 'string' || range.length > maxChars) return null;
  const translated = range
    .split('||')
    .map((alternative) => alternative.split(',').map((part) => part.trim().replace(/^==(?!=)/, '=')).join(' ').trim())
    .join(' || ');
  // A comma with nothing on one side (`>=1,`, `,<2`) is not a range, although joining would hide it.
  if (/(^|\|\|)\s*,|,\s*($|\|\|)|,\s*,/.test(range)) return null;
  try {
    return validRange(translated, { loose: false }) ?? null;
  } catch {
    return null;
  }
}

export function isValidRange(range: unknown, maxChars?: number): range is string {
  return normalizeRange(range, maxChars) !== null;
}

/** `latest` names the highest non-prerelease version in lookups (info, download). */
export function isLatestTag(spec: unknown): spec is 'latest' {
  return spec === 'latest';
}

/** True when `version` is in `range` under node-semver's rules (prerelease rule included). */
export function satisfies(version: unknown, range: unknown): boolean {
  if (!isValidVersion(version)) return false;
  const normalized = normalizeRange(range);
  if (normalized === null) return false;
  try {
    return semverSatisfies(version, normalized, { loose: false, includePrerelease: false });
  } catch {
    return false;
  }
}

/** SemVer 2.0.0 precedence; build metadata is ignored, as the standard says. */
export function compareVersions(a: string, b: string): number {
  return compare(a, b);
}

/** Highest non-prerelease version, or null when there is none. */
export function latestVersion(versions: readonly string[]): string | null {
  let best: string | null = null;
  for (const v of versions) {
    if (!isValidVersion(v) || prerelease(v) !== null) continue;
    if (best === null || compare(v, best) > 0) best = v;
  }
  return best;
}

/** Highest version in range, or null. */
export function maxSatisfying(versions: readonly string[], range: string): string | null {
  const normalized = normalizeRange(range);
  if (normalized === null) return null;
  let best: string | null = null;
  for (const v of versions) {
    if (!satisfies(v, normalized)) continue;
    if (best === null || compare(v, best) > 0) best = v;
  }
  return best;
}

/**
 * Splits `name@range` (the CLI's form; the scope's `@` is not a separator) into its parts.
 * Returns null when the name is not valid; a missing range means `latest`.
 */
export function parseSpec(spec: string): { name: string; range: string } | null {
  if (typeof spec !== 'string' || spec.length > DEFAULT_LIMITS.maxNameChars + DEFAULT_LIMITS.maxRangeChars + 1) return null;
  const at = spec.indexOf('@', 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? 'latest' : spec.slice(at + 1);
  if (!isValidName(name)) return null;
  return { name, range: range === '' ? 'latest' : range };
}

/** How SemVer versions and ranges look, for messages (the semver provider's `syntax`). */
export const SEMVER_DESCRIPTION = Object.freeze({
  version: "strict SemVer 2.0.0 (e.g. 1.2.3 or 1.2.3-beta.1; no 'v', no '1.0')",
  range: 'a node-semver range or the comma form (e.g. ^1.2.0, >=1.0.0 <2.0.0, >=1.0.0,<2.0.0)',
});

/**
 * The SemVer syntax (SPEC §2), for a validator given no versioning: the same answers as the
 * semver versioning provider.
 */
export const SEMVER_SYNTAX: VersionSyntax = Object.freeze({
  isValidVersion: (version: string) => isValidVersion(version),
  isValidRange: (range: string) => isValidRange(range),
  syntax: SEMVER_DESCRIPTION,
  info: { name: 'semver' },
});
