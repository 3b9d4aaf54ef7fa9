/**
 * The package inside the archive: metadata.json and manifest.json (strict parse, schema, grammar,
 * agreement), and every content file against the manifest; then the report's final form.
 */
import type { ValidationReport } from '../contracts/validation.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import type { Limits } from '../limits.js';
import { showPath } from './archive-path.js';
import type { EntryRecord, Report } from './archive-report.js';
import { checkAgreement, checkManifest, checkMetadata, MANIFEST_FILE, METADATA_FILE, parseDocument } from './documents.js';

/** metadata.json, manifest.json, and every content file against the manifest. */
export function checkPackage(records: EntryRecord[], limits: Limits, versioning: VersionSyntax, report: Report): ValidationReport {
  const byPath = new Map<string, EntryRecord>();
  for (const rec of records) if (rec.path !== null && !byPath.has(rec.path + (rec.isFolder ? '/' : ''))) byPath.set(rec.path + (rec.isFolder ? '/' : ''), rec);
  const metaRec = byPath.get(METADATA_FILE);
  const manRec = byPath.get(MANIFEST_FILE);
  if (!metaRec) report.add('E_PKG_METADATA_MISSING', 'the archive has no metadata.json at its root', METADATA_FILE);
  if (!manRec) report.add('E_PKG_MANIFEST_MISSING', 'the archive has no manifest.json at its root', MANIFEST_FILE);

  let metadataValue;
  let metadata;
  if (metaRec?.bytes) {
    const parsed = parseDocument(metaRec.bytes, METADATA_FILE, limits);
    for (const i of parsed.issues) report.add(i.code, i.message, i.path);
    if (parsed.value !== undefined) {
      metadataValue = parsed.value;
      const checked = checkMetadata(parsed.value, limits, versioning);
      for (const i of checked.issues) report.add(i.code, i.message, i.path);
      metadata = checked.metadata;
    }
  }
  let manifestValue;
  let manifest;
  if (manRec?.bytes) {
    const parsed = parseDocument(manRec.bytes, MANIFEST_FILE, limits);
    for (const i of parsed.issues) report.add(i.code, i.message, i.path);
    if (parsed.value !== undefined) {
      manifestValue = parsed.value;
      const checked = checkManifest(parsed.value, limits);
      for (const i of checked.issues) report.add(i.code, i.message, i.path);
      manifest = checked.manifest;
    }
  }
  for (const i of checkAgreement(metadataValue, manifestValue)) report.add(i.code, i.message, i.path);

  const listed = manifestFiles(manifestValue);
  if (listed) {
    for (const rec of records) {
      if (rec.path === null || rec.isFolder || rec === metaRec || rec === manRec) continue;
      const expected = Object.prototype.hasOwnProperty.call(listed, rec.path) ? listed[rec.path] : undefined;
      if (expected === undefined) {
        report.add('E_PKG_FILE_UNLISTED', `'${showPath(rec.path)}' is in the archive but not in manifest.json`, rec.path);
        continue;
      }
      if (rec.sha256 === undefined || typeof expected !== 'object' || expected === null) continue;
      if (typeof expected.hash === 'string' && expected.hash !== rec.sha256) {
        report.add('E_PKG_HASH_MISMATCH', `'${showPath(rec.path)}': manifest.json wants sha256 ${expected.hash}, the file has ${rec.sha256}`, rec.path);
      }
      if (typeof expected.size === 'number' && expected.size !== rec.actualSize) {
        report.add('E_PKG_FILE_SIZE_MISMATCH', `'${showPath(rec.path)}': manifest.json says ${expected.size} bytes, the file has ${rec.actualSize}`, rec.path);
      }
    }
    for (const path of Object.keys(listed)) {
      if (path === METADATA_FILE || path === MANIFEST_FILE) continue;
      if (byPath.has(path)) continue;
      const asFolder = byPath.has(path + '/');
      report.add('E_PKG_FILE_MISSING', `manifest.json lists '${showPath(path)}' but the archive ${asFolder ? 'holds it as a folder' : 'does not hold it'}`, path);
    }
  }
  return finish(report, metadataValue, metadata && manifest ? { metadata, manifest } : undefined, records);
}

function manifestFiles(value: unknown): Record<string, { hash?: unknown; size?: unknown } | null> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const files = (value as Record<string, unknown>)['files'];
  if (files === null || typeof files !== 'object' || Array.isArray(files)) return undefined;
  return files as Record<string, { hash?: unknown; size?: unknown } | null>;
}

export function finish(report: Report, metadataValue: unknown, docs: { metadata: NonNullable<ValidationReport['metadata']>; manifest: NonNullable<ValidationReport['manifest']> } | undefined, records: EntryRecord[]): ValidationReport {
  const out: ValidationReport = { valid: report.issues.length === 0, errors: report.issues };
  if (metadataValue !== null && typeof metadataValue === 'object' && !Array.isArray(metadataValue)) {
    const m = metadataValue as Record<string, unknown>;
    if (typeof m['name'] === 'string') out.name = m['name'];
    if (typeof m['version'] === 'string') out.version = m['version'];
  }
  if (out.valid && docs) {
    out.metadata = docs.metadata;
    out.manifest = docs.manifest;
    let fileCount = 0;
    let unpackedBytes = 0;
    for (const rec of records) {
      if (rec.isFolder || rec.path === METADATA_FILE || rec.path === MANIFEST_FILE) continue;
      fileCount++;
      unpackedBytes += rec.actualSize ?? 0;
    }
    out.fileCount = fileCount;
    out.unpackedBytes = unpackedBytes;
  } else if (out.valid) {
    // No documents were read (cannot happen for a valid report, which needs both), kept total.
    out.valid = false;
  }
  return out;
}
