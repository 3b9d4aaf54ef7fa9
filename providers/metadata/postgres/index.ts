/**
 * Metadata on PostgreSQL, for several pakt processes (servers, CLIs) sharing one registry:
 *
 *   const metadata = await createPostgresMetadata({ url: 'postgres://pakt:secret@db:5432/pakt' });
 *   const registry = new CoreRegistryManager({ metadata, storage, ... });
 *
 * - node-postgres (`pg`) with a pool; every statement through connection.ts, which maps failures
 *   to codes and retries only what cannot apply twice.
 * - Numbered migrations at open, under an advisory lock (migrations.ts); a newer schema is refused.
 * - UNIQUE(name, version) decides immutability between processes; every publish and delete is one
 *   transaction, and one round trip (functions of migration 4), with its document writes inside.
 * - Concurrent inserts share transactions (group commit, inserts.ts).
 * - removeIfUnreferenced: a per-digest advisory lock (removal.ts); changesSince: a change table
 *   filled by triggers, read by snapshot (change-feed.ts); documents (documents.ts).
 *
 * The factory is async: it connects and migrates, so a wrong URL, password or database fails
 * here, at start-up, with its own code.
 */
import type { QueryResultRow } from 'pg';
import {
  CORE_VERSION,
  type Digest,
  type MetadataProvider,
  type VersionRecord,
} from '../../../src/contracts/index.js';
import { checkDownloadCount, checkVersionRecord } from '../record-check.js';
import { createChangeFeed } from './change-feed.js';
import { createConnection } from './connection.js';
import { createPostgresDocuments, writeArrays } from './documents.js';
import { createInsertQueue } from './inserts.js';
import { blobLockClass } from './locks.js';
import { quoted } from './migrations.js';
import { openSchema } from './open.js';
import { resolveOptions, type PostgresMetadataOptions } from './options.js';
import { createGuardedRemoval } from './removal.js';
import { rowToRecord, toRecord, VERSION_COLUMNS, type VersionRow } from './rows.js';

export type { PostgresMetadataOptions } from './options.js';
export { MIGRATIONS, SCHEMA_VERSION, type PostgresMigration } from './migrations.js';

/** The provider, plus where it keeps its tables (for operators and tests). */
export interface PostgresMetadataProvider extends MetadataProvider {
  /** The schema holding the tables. */
  readonly schema: string;
  /** `user@host:port/database`: the database, without its password. */
  readonly target: string;
  /** Commits inserts already asked for, then closes the pool; idempotent. */
  close(): Promise<void>;
}

/** Rows fetched per query by allVersions(): bounds memory, whatever the store size. */
const PAGE_SIZE = 500;

export async function createPostgresMetadata(options: PostgresMetadataOptions): Promise<PostgresMetadataProvider> {
  const o = resolveOptions(options);
  const conn = createConnection(o);
  try {
    await openSchema(conn, o.schema, o.target, options.migrations, o.create);
  } catch (err) {
    await conn.close();
    throw err;
  }
  const s = quoted(o.schema);
  const lockClass = blobLockClass(o.schema);
  const inserts = createInsertQueue(conn, s, lockClass, o.maxBatch);
  const feed = createChangeFeed(conn, s, o.target);
  const removeIfUnreferenced = createGuardedRemoval(conn, s, lockClass, o.target);
  const documents = createPostgresDocuments(conn, s);
  const read = <R extends QueryResultRow>(what: string, sql: string, params: unknown[] = []) => conn.query<R>(what, sql, params, false);
  const write = <R extends QueryResultRow>(what: string, sql: string, params: unknown[] = []) => conn.query<R>(what, sql, params, true);
  let closing: Promise<void> | undefined;

  return {
    info: { name: 'postgres', family: 'metadata', coreRange: `^${CORE_VERSION}` },
    capabilities: { multiProcess: true, persistent: true },
    schema: o.schema,
    target: o.target,

    async insertVersion(record, writes) {
      checkVersionRecord(record);
      return inserts.insert(record, writes);
    },

    async getVersion(name, version) {
      const rows = await read<VersionRow>(`read ${name}@${version}`, `SELECT ${VERSION_COLUMNS} FROM ${s}.versions WHERE name = $1 AND version = $2`, [name, version]);
      return rows[0] ? rowToRecord(rows[0]) : undefined;
    },

    async listVersions(name) {
      const rows = await read<VersionRow>(`list versions of ${name}`, `SELECT ${VERSION_COLUMNS} FROM ${s}.versions WHERE name = $1`, [name]);
      return rows.map(rowToRecord);
    },

    async listVersionNumbers(name) {
      const rows = await read<{ version: string }>(`list version numbers of ${name}`, `SELECT version FROM ${s}.versions WHERE name = $1`, [name]);
      return rows.map((r) => r.version);
    },

    async listPackageNames() {
      // Sorted here so the order is every provider's (UTF-16 code units), not the database's.
      const rows = await read<{ name: string }>('list package names', `SELECT DISTINCT name FROM ${s}.versions`);
      return rows.map((r) => r.name).sort();
    },

    async *allVersions() {
      // Keyset pages, one short query each: nothing stays open across a yield, so callers may
      // write while iterating, and memory stays bounded by the page size.
      let last: VersionRow | undefined;
      for (;;) {
        const page: VersionRow[] = last
          ? await read<VersionRow>('iterate versions', `SELECT ${VERSION_COLUMNS} FROM ${s}.versions WHERE (name, version) > ($1, $2) ORDER BY name, version LIMIT ${PAGE_SIZE}`, [last.name, last.version])
          : await read<VersionRow>('iterate versions', `SELECT ${VERSION_COLUMNS} FROM ${s}.versions ORDER BY name, version LIMIT ${PAGE_SIZE}`);
        for (const row of page) yield rowToRecord(row);
        if (page.length < PAGE_SIZE) return;
        last = page[page.length - 1];
      }
    },

    async deleteVersion(name, version, writes): Promise<VersionRecord | undefined> {
      const a = writeArrays(writes);
      const rows = await write<Omit<VersionRow, 'name' | 'version'>>(
        `delete ${name}@${version}`,
        `SELECT digest, size, published_at, metadata FROM ${s}.delete_version($1, $2, $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])`,
        [name, version, a.ops, a.kinds, a.keys, a.texts, a.expects],
      );
      return rows[0] ? toRecord(rows[0], name, version) : undefined;
    },

    async isDigestReferenced(digest: Digest) {
      const rows = await read<{ referenced: boolean }>(`look up ${digest}`, `SELECT EXISTS (SELECT 1 FROM ${s}.versions WHERE digest = $1) AS referenced`, [digest]);
      return rows[0]!.referenced;
    },

    removeIfUnreferenced,

    changesSince: (cursor) => feed.since(cursor),

    async addDownloads(name, count) {
      checkDownloadCount(name, count);
      await write(
        `count downloads of ${name}`,
        `INSERT INTO ${s}.downloads (name, count) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET count = ${s}.downloads.count + excluded.count`,
        [name, count],
      );
    },

    async getDownloads(names) {
      const out = new Map<string, number>();
      if (names.length === 0) return out;
      const rows = await read<{ name: string; count: string }>('read download counts', `SELECT name, count FROM ${s}.downloads WHERE name = ANY($1::text[])`, [[...names]]);
      for (const name of names) out.set(name, 0);
      for (const row of rows) out.set(row.name, Number(row.count));
      return out;
    },

    documents,

    close() {
      // Inserts already asked for are committed, not dropped; then the pool ends.
      closing ??= inserts.drain().then(() => conn.close());
      return closing;
    },
  };
}

export default createPostgresMetadata;
