/**
 * The one check of a package's identity: its name, its version and its dependencies' names and
 * ranges. Names follow the package format's grammar; versions and ranges are asked of the
 * registry's version scheme (a VersionSyntax, i.e. the versioning provider) and nothing else, so
 * a host's own scheme is honoured everywhere: by the validator, by publish and by lookups.
 * Every untrusted string is length-capped before a regex or a provider sees it.
 */
import type { ValidationIssue } from '../contracts/validation.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import type { ErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import { isValidName } from './name-version.js';

export type IdentityLimits = Pick<Limits, 'maxNameChars' | 'maxVersionChars' | 'maxRangeChars'>;

/** A value as messages show it: quoted, cut at 80 characters. */
export function quoted(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `'${s.slice(0, 80)}…'` : `'${s}'`;
}

function schemeName(syntax: VersionSyntax): string {
  return syntax.info?.name ?? 'configured';
}

/** Why `name` is not a package name ("is not a valid package name (...)"), or undefined when it is one. */
export function nameProblem(name: unknown, limits: Pick<Limits, 'maxNameChars'>): string | undefined {
  if (isValidName(name, limits.maxNameChars)) return undefined;
  return `is not a valid package name (lowercase letters, digits, '.', '_', '-', optionally '@scope/', at most ${limits.maxNameChars} characters)`;
}

/** Why `version` is not a version of the scheme ("is not ..."), or undefined when it is one. */
export function versionProblem(version: unknown, syntax: VersionSyntax, limits: Pick<Limits, 'maxVersionChars'>): string | undefined {
  if (typeof version !== 'string') return `is not ${syntax.syntax?.version ?? `a version of the ${schemeName(syntax)} version scheme`}`;
  if (version.length > limits.maxVersionChars) return `is longer than ${limits.maxVersionChars} characters (limits.maxVersionChars)`;
  if (syntax.isValidVersion(version)) return undefined;
  return `is not ${syntax.syntax?.version ?? `a version of the ${schemeName(syntax)} version scheme`}`;
}

/** Why `range` is not a range of the scheme ("is not ..."), or undefined when it is one. */
export function rangeProblem(range: unknown, syntax: VersionSyntax, limits: Pick<Limits, 'maxRangeChars'>): string | undefined {
  if (typeof range !== 'string') return `is not ${syntax.syntax?.range ?? `a range of the ${schemeName(syntax)} version scheme`}`;
  if (range.length > limits.maxRangeChars) return `is longer than ${limits.maxRangeChars} characters (limits.maxRangeChars)`;
  if (syntax.isValidRange(range)) return undefined;
  return `is not ${syntax.syntax?.range ?? `a range of the ${schemeName(syntax)} version scheme`}`;
}

function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Every identity problem of a metadata.json object, with the codes E_PKG_NAME_INVALID,
 * E_PKG_VERSION_INVALID and E_PKG_RANGE_INVALID. Fields of the wrong type are left to the schema
 * (E_PKG_METADATA_INVALID), so each problem is reported once.
 */
export function checkIdentity(metadata: Readonly<Record<string, unknown>>, syntax: VersionSyntax, limits: IdentityLimits): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (code: ErrorCode, message: string, path: string) => issues.push({ code, message: `metadata.json: ${message}`, path });
  const name = metadata['name'];
  if (typeof name === 'string') {
    const problem = nameProblem(name, limits);
    if (problem) add('E_PKG_NAME_INVALID', `name ${quoted(name)} ${problem}`, 'metadata.json#/name');
  }
  const version = metadata['version'];
  if (typeof version === 'string') {
    const problem = versionProblem(version, syntax, limits);
    if (problem) add('E_PKG_VERSION_INVALID', `version ${quoted(version)} ${problem}`, 'metadata.json#/version');
  }
  const deps = metadata['dependencies'];
  if (deps !== null && typeof deps === 'object' && !Array.isArray(deps)) {
    for (const [dep, range] of Object.entries(deps as Record<string, unknown>)) {
      const path = `metadata.json#/dependencies/${pointer(dep)}`;
      const badName = nameProblem(dep, limits);
      if (badName) add('E_PKG_NAME_INVALID', `dependency name ${quoted(dep)} ${badName}`, path);
      if (typeof range !== 'string') continue;
      const badRange = rangeProblem(range, syntax, limits);
      if (badRange) add('E_PKG_RANGE_INVALID', `the range ${quoted(range)} for dependency ${quoted(dep)} ${badRange}`, path);
    }
  }
  return issues;
}
