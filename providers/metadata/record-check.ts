/**
 * Argument checks shared by every metadata provider in this folder: a record must be whole before
 * it is stored, because a half-filled row would later surface as a confusing error far from its cause.
 * These are programming errors of the caller (E_INVALID_ARGUMENT), not user input errors.
 */
import type { VersionRecord } from '../../src/contracts/index.js';
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
