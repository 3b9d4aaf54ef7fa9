/** The versions table's columns as SQL reads them, and a row made back into a VersionRecord. */
import type { Digest, VersionRecord } from '../../../src/contracts/index.js';

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
    metadata: JSON.parse(row.metadata) as VersionRecord['metadata'],
  };
}

export const rowToRecord = (row: VersionRow): VersionRecord => toRecord(row, row.name, row.version);
