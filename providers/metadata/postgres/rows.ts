/** The versions table's columns as SQL reads them, and a row made back into a VersionRecord. */
import type { Digest, VersionRecord } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';

/** JSON text of a stored row, parsed; a row edited into something else is E_META_ROW_DAMAGED, naming it. */
export function parseStoredJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RegistryError('E_META_ROW_DAMAGED', `the metadata database's ${where} holds text that is not JSON (${err instanceof Error ? err.message : String(err)})`, { path: where }, { cause: err });
  }
}

export interface VersionRow {
  name: string;
  version: string;
  digest: string;
  /** bigint: pg hands it over as a decimal string. */
  size: string;
  published_at: string;
  metadata: string;
}

export const VERSION_COLUMNS = 'name, version, digest, size, published_at, metadata';

export function toRecord(row: Omit<VersionRow, 'name' | 'version'>, name: string, version: string): VersionRecord {
  return {
    name,
    version,
    digest: row.digest as Digest,
    size: Number(row.size),
    publishedAt: row.published_at,
    metadata: parseStoredJson(row.metadata, `versions row ${name}@${version} (column metadata)`) as VersionRecord['metadata'],
  };
}

export const rowToRecord = (row: VersionRow): VersionRecord => toRecord(row, row.name, row.version);
