/**
 * Argument checks shared by every metadata provider in this folder: a record must be whole before
 * it is stored, because a half-filled row would later surface as a confusing error far from its cause.
 * These are programming errors of the caller (E_INVALID_ARGUMENT), not user input errors.
 */
import type { DocumentListOptions, DocumentWrite, VersionRecord } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { isDigest } from '../../src/util/digest.js';

export function checkVersionRecord(record: VersionRecord): void {
  const problems: string[] = [];
  if (typeof record?.name !== 'string' || record.name === '') problems.push('name must be a non-empty string');
  if (typeof record?.version !== 'string' || record.version === '') problems.push('version must be a non-empty string');
  if (!isDigest(record?.digest)) problems.push('digest must be sha256:<64 lowercase hex>');
  if (!Number.isSafeInteger(record?.size) || record.size < 0) problems.push('size must be a non-negative integer');
  if (typeof record?.publishedAt !== 'string' || Number.isNaN(Date.parse(record.publishedAt))) problems.push('publishedAt must be an ISO-8601 time');
  if (typeof record?.metadata !== 'object' || record.metadata === null || Array.isArray(record.metadata)) problems.push('metadata must be an object');
  if (problems.length > 0) {
    const subject = typeof record?.name === 'string' ? `${record.name}@${String(record.version)}` : 'version record';
    throw new RegistryError('E_INVALID_ARGUMENT', `cannot store ${subject}: ${problems.join('; ')}`, { found: problems });
  }
}

export function checkDownloadCount(name: string, count: number): void {
  if (typeof name !== 'string' || name === '') {
    throw new RegistryError('E_INVALID_ARGUMENT', 'addDownloads needs a package name', { found: name });
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RegistryError('E_INVALID_ARGUMENT', `download count for ${name} must be a non-negative integer, got ${String(count)}`, { found: count });
  }
}

/**
 * The position a change-feed cursor names. Both providers here write a cursor as the decimal
 * number of the last change it covers ("0": before the first); anything else was not theirs.
 */
export function parseChangeCursor(cursor: unknown, store: string): number {
  const n = typeof cursor === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    const shown = typeof cursor === 'string' ? JSON.stringify(cursor.slice(0, 40)) : String(cursor);
    throw new RegistryError('E_INVALID_ARGUMENT', `changesSince of ${store} got cursor ${shown}, which it cannot have returned: pass the cursor of an earlier answer, or none to start`, { found: shown });
  }
  return n;
}

export const MAX_DOCUMENT_JSON_BYTES = 1024 * 1024;
export const MAX_DOCUMENT_KEY_CHARS = 1024;
const DOCUMENT_KIND = /^[a-z][a-z0-9-]{0,63}$/;

export function checkDocumentKind(kind: unknown): asserts kind is string {
  if (typeof kind !== 'string' || !DOCUMENT_KIND.test(kind)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `document kind ${JSON.stringify(String(kind).slice(0, 80))} is not 1-64 characters of a-z, 0-9 and '-' starting with a letter`, { found: String(kind).slice(0, 80) });
  }
}

export function checkDocumentKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '' || key.length > MAX_DOCUMENT_KEY_CHARS || key.includes('\u0000')) {
    throw new RegistryError('E_INVALID_ARGUMENT', `document key ${JSON.stringify(String(key).slice(0, 80))} must be 1-${MAX_DOCUMENT_KEY_CHARS} characters without NUL`, { found: String(key).slice(0, 80) });
  }
}

/** True for the values JSON can carry unchanged: what a document's value may be. */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as Record<string, unknown>).every((v) => isJsonValue(v, depth + 1));
}

/**
 * Checks a batch of document writes and returns each put's JSON text (undefined for deletes), so
 * a provider serialises each value once. Refuses the whole batch before anything is written.
 */
export function checkDocumentWrites(writes: unknown): string[] {
  if (!Array.isArray(writes)) throw new RegistryError('E_INVALID_ARGUMENT', 'document writes must be an array', { found: typeof writes });
  return writes.map((w: (Partial<DocumentWrite> & { value?: unknown }) | null, i): string => {
    if (w === null || typeof w !== 'object' || (w.op !== 'put' && w.op !== 'delete')) {
      throw new RegistryError('E_INVALID_ARGUMENT', `document write ${i} must be { op: 'put' | 'delete', kind, key, ... }`, { found: i });
    }
    checkDocumentKind(w.kind);
    checkDocumentKey(w.key);
    if (w.expectRevision !== undefined && (!Number.isSafeInteger(w.expectRevision) || w.expectRevision < 0)) {
      throw new RegistryError('E_INVALID_ARGUMENT', `document write ${i} (${w.kind}/${w.key}): expectRevision must be a non-negative integer, got ${String(w.expectRevision)}`, { found: String(w.expectRevision) });
    }
    if (w.op === 'delete') return '';
    if (!isJsonValue(w.value)) {
      throw new RegistryError('E_INVALID_ARGUMENT', `document ${w.kind}/${w.key}: the value must be JSON (null, booleans, finite numbers, strings, arrays, plain objects)`, { path: `${w.kind}/${w.key}` });
    }
    const text = JSON.stringify(w.value);
    if (Buffer.byteLength(text) > MAX_DOCUMENT_JSON_BYTES) {
      throw new RegistryError('E_INVALID_ARGUMENT', `document ${w.kind}/${w.key} is ${Buffer.byteLength(text)} bytes as JSON, more than the ${MAX_DOCUMENT_JSON_BYTES} a document may hold`, { path: `${w.kind}/${w.key}`, limit: { name: 'MAX_DOCUMENT_JSON_BYTES', value: MAX_DOCUMENT_JSON_BYTES } });
    }
    return text;
  });
}

export function checkListOptions(options: DocumentListOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new RegistryError('E_INVALID_ARGUMENT', 'document list options must be an object', { found: String(options) });
  for (const name of ['prefix', 'after'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'string') throw new RegistryError('E_INVALID_ARGUMENT', `document list option ${name} must be a string`, { found: typeof options[name] });
  }
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `document list option limit must be a non-negative integer, got ${String(options.limit)}`, { found: String(options.limit) });
  }
}

/** The E_META_CONFLICT a failed expectRevision gives, naming the document and both revisions. */
export function revisionConflict(kind: string, key: string, expected: number, found: number): RegistryError {
  const wanted = expected === 0 ? 'not to exist yet' : `to be at revision ${expected}`;
  const seen = found === 0 ? 'it does not exist' : `it is at revision ${found}`;
  return new RegistryError('E_META_CONFLICT', `document ${kind}/${key} was expected ${wanted}, but ${seen}: another writer changed it first`, { path: `${kind}/${key}`, expected, found });
}

/** Code point order (UTF-8 byte order), which JS's default string order is not past U+FFFF. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
