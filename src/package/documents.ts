/**
 * metadata.json and manifest.json: strict parse, schema, grammar (names, versions, ranges) and
 * the agreement between the two. Each function returns every problem it finds, as issues.
 */
import type { ValidationIssue } from '../contracts/validation.js';
import type { PackageManifest, PackageMetadata } from '../contracts/package.js';
import { isRegistryError } from '../errors.js';
import type { Limits } from '../limits.js';
import { checkArchivePath } from './archive-path.js';
import { isValidName, isValidVersion, normalizeRange } from './name-version.js';
import { checkManifestSchema, checkMetadataSchema } from './schemas.js';
import { parseStrictJson, type JsonValue } from './strict-json.js';

export const METADATA_FILE = 'metadata.json';
export const MANIFEST_FILE = 'manifest.json';

type Parsed = { value: JsonValue; issues: [] } | { value: undefined; issues: ValidationIssue[] };

export function parseDocument(bytes: Uint8Array, source: string, limits: Limits): Parsed {
  try {
    return { value: parseStrictJson(bytes, { maxDepth: limits.maxJsonDepth, source }), issues: [] };
  } catch (err) {
    if (isRegistryError(err)) return { value: undefined, issues: [{ code: err.code, message: err.message, path: typeof err.details.path === 'string' ? err.details.path : source }] };
    throw err;
  }
}

function quoted(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 80 ? `'${s.slice(0, 80)}…'` : `'${s}'`;
}

/** Schema, then the grammar of name, version and every dependency (with their own codes). */
export function checkMetadata(value: JsonValue, limits: Limits): { metadata?: PackageMetadata; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  for (const p of checkMetadataSchema(value)) {
    // The grammar checks below report name, version and dependency names with their own codes.
    if (p.pointer === '/name' && p.keyword !== 'type' && p.keyword !== 'required') continue;
    if (p.pointer === '/version' && p.keyword !== 'type' && p.keyword !== 'required') continue;
    if (p.pointer.startsWith('/dependencies/') && p.keyword === 'propertyNames') continue;
    issues.push({ code: 'E_PKG_METADATA_INVALID', message: p.message, path: `${METADATA_FILE}#${p.pointer}` });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { issues };
  const doc = value as Record<string, JsonValue>;
  if (typeof doc['name'] === 'string' && !isValidName(doc['name'], limits.maxNameChars)) {
    issues.push({
      code: 'E_PKG_NAME_INVALID',
      message: `metadata.json: name ${quoted(doc['name'])} is not a valid package name (lowercase letters, digits, '.', '_', '-', optionally '@scope/', at most ${limits.maxNameChars} characters)`,
      path: `${METADATA_FILE}#/name`,
    });
  }
  if (typeof doc['version'] === 'string' && !isValidVersion(doc['version'], limits.maxVersionChars)) {
    issues.push({
      code: 'E_PKG_VERSION_INVALID',
      message: `metadata.json: version ${quoted(doc['version'])} is not strict SemVer 2.0.0 (e.g. 1.2.3 or 1.2.3-beta.1; no 'v', no '1.0')`,
      path: `${METADATA_FILE}#/version`,
    });
  }
  const deps = doc['dependencies'];
  if (deps !== null && typeof deps === 'object' && !Array.isArray(deps)) {
    for (const [dep, range] of Object.entries(deps)) {
      const pointer = `${METADATA_FILE}#/dependencies/${dep.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isValidName(dep, limits.maxNameChars)) {
        issues.push({ code: 'E_PKG_NAME_INVALID', message: `metadata.json: dependency name ${quoted(dep)} is not a valid package name`, path: pointer });
      }
      if (typeof range === 'string' && normalizeRange(range, limits.maxRangeChars) === null) {
        issues.push({
          code: 'E_PKG_RANGE_INVALID',
          message: `metadata.json: the range ${quoted(range)} for dependency ${quoted(dep)} is neither a node-semver range nor the comma form (e.g. ^1.2.0, >=1.0.0 <2.0.0, >=1.0.0,<2.0.0)`,
          path: pointer,
        });
      }
    }
  }
  return issues.length === 0 ? { metadata: doc as PackageMetadata, issues } : { issues };
}

/** Schema, the path rules on every listed path, and no listing of the two documents themselves. */
export function checkManifest(value: JsonValue, limits: Limits): { manifest?: PackageManifest; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = checkManifestSchema(value).map((p) => ({ code: 'E_PKG_MANIFEST_INVALID' as const, message: p.message, path: `${MANIFEST_FILE}#${p.pointer}` }));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { issues };
  const files = (value as Record<string, JsonValue>)['files'];
  if (files !== null && typeof files === 'object' && !Array.isArray(files)) {
    for (const listed of Object.keys(files)) {
      if (listed === METADATA_FILE || listed === MANIFEST_FILE) {
        issues.push({ code: 'E_PKG_MANIFEST_INVALID', message: `manifest.json lists '${listed}', which is never listed (it is not a content file)`, path: `${MANIFEST_FILE}#/files/${listed}` });
        continue;
      }
      for (const problem of checkArchivePath(listed, limits.maxPathBytes)) {
        issues.push({ code: 'E_PKG_MANIFEST_INVALID', message: `manifest.json lists an invalid path: ${problem.message}`, path: `${MANIFEST_FILE}#/files` });
      }
    }
  }
  return issues.length === 0 ? { manifest: value as unknown as PackageManifest, issues } : { issues };
}

/** name and version must be the same in both documents. */
export function checkAgreement(metadata: JsonValue | undefined, manifest: JsonValue | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!metadata || !manifest || typeof metadata !== 'object' || typeof manifest !== 'object' || Array.isArray(metadata) || Array.isArray(manifest)) return issues;
  for (const field of ['name', 'version'] as const) {
    const a = metadata[field];
    const b = manifest[field];
    if (typeof a === 'string' && typeof b === 'string' && a !== b) {
      issues.push({ code: 'E_PKG_MANIFEST_MISMATCH', message: `manifest.json has ${field} ${quoted(b)} but metadata.json has ${quoted(a)}`, path: `${MANIFEST_FILE}#/${field}` });
    }
  }
  return issues;
}
