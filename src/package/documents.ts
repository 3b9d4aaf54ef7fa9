/**
 * metadata.json and manifest.json: strict parse, schema, grammar (names, versions, ranges) and
 * the agreement between the two. Each function returns every problem it finds, as issues.
 */
import type { ValidationIssue } from '../contracts/validation.js';
import type { PackageManifest, PackageMetadata } from '../contracts/package.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { isRegistryError } from '../errors.js';
import type { Limits } from '../limits.js';
import { checkArchivePath } from './archive-path.js';
import { checkIdentity, quoted } from './identity.js';
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

/**
 * Schema, then the identity: name and dependency names by the format's grammar, version and
 * ranges by `versioning` (src/package/identity.ts), each with its own code.
 */
export function checkMetadata(value: JsonValue, limits: Limits, versioning: VersionSyntax): { metadata?: PackageMetadata; issues: ValidationIssue[] } {
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
  issues.push(...checkIdentity(doc, versioning, limits));
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
