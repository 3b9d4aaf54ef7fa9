/**
 * The default metadata store: one SQLite file (`<store>/registry.db`) through better-sqlite3.
 *
 * - WAL mode, so readers never block the writer and several processes can share the store.
 * - UNIQUE(name, version) (the primary key) decides immutability, even between processes: an
 *   insert that loses the race sees the winner's row in the same transaction.
 * - Every write is one IMMEDIATE transaction: it takes the write lock up front, so SQLite's busy
 *   handler (busy_timeout) applies instead of a deadlock-avoiding SQLITE_BUSY mid-transaction.
 *   Any SQLITE_BUSY that still escapes is retried with backoff until busyTimeoutMs has passed,
 *   then reported as E_META_BUSY: a raw lock error never reaches the user.
 * - A file that is not a pakt SQLite store is refused (E_META_CORRUPT) and left untouched; it is
 *   never recreated empty. A store written by newer code is refused (E_META_SCHEMA_NEWER).
 *
 * The contract's methods are async; better-sqlite3 is synchronous, so each runs to completion
 * inside one call (sub-millisecond for indexed lookups), which is simpler and faster than a pool.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import {
  CORE_VERSION,
  type Digest,
  type DocumentWrite,
  type InsertOutcome,
  type MetadataProvider,
  type VersionRecord,
} from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { checkDocumentWrites, checkDownloadCount, checkVersionRecord } from './record-check.js';
import { createChangeFeed } from './sqlite-changes.js';
import { createSqliteDocuments } from './sqlite-documents.js';
import { isBusy, toMetaError } from './sqlite-errors.js';
import { migrate, type Migration } from './sqlite-migrations.js';

export interface SqliteMetadataOptions {
  /** The database file (created with its folder if missing). Required. */
  path: string;
  /**
   * How long to wait for another process's lock before E_META_BUSY, in ms (default 5000).
   * better-sqlite3 is synchronous, so SQLite's own wait blocks this thread; writers hold the lock
   * for well under a millisecond per publish, so in practice waits are short. A larger value rides
   * out long operations of other processes (a rebuild) at the price of a longer stall if one hangs.
   */
  busyTimeoutMs?: number;
  /**
   * `full` (default): a publish is on disk when insertVersion resolves (one fsync per write, ~0.2 ms
   * on an SSD). `normal`: safe against a process crash but the last writes may roll back on a
   * power cut, which leaves at worst an unreferenced blob for gc; faster on slow disks.
   */
  synchronous?: 'full' | 'normal';
  /** Rows fetched per query by allVersions() (default 500): bounds memory, whatever the store size. */
  pageSize?: number;
  /**
   * The schema history to apply; only tests of the migration runner pass their own. Spelled out
   * rather than as sqlite-migrations.ts's Migration, whose module needs better-sqlite3's types:
   * a public type must not need a devDependency.
   */
  migrations?: ReadonlyArray<{ version: number; description: string; sql: string }>;
}

interface Row {
  name: string;
  version: string;
  digest: string;
  size: number;
  published_at: string;
  metadata: string;
}

const COLUMNS = 'name, version, digest, size, published_at, metadata';

export function createSqliteMetadata(options: SqliteMetadataOptions): MetadataProvider {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of createSqliteMetadata: the database file, e.g. <store>/registry.db');
  }
  const path = options.path;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const pageSize = options.pageSize ?? 500;
  const synchronous = options.synchronous ?? 'full';
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option busyTimeoutMs of createSqliteMetadata must be a non-negative integer, got ${String(options.busyTimeoutMs)}`);
  }
  if (!Number.isSafeInteger(pageSize) || pageSize <= 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option pageSize of createSqliteMetadata must be a positive integer, got ${String(options.pageSize)}`);
  }
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new RegistryError('E_PROVIDER_OPTION', `option synchronous of createSqliteMetadata must be 'full' or 'normal', got ${String(synchronous)}`);
  }

  const db = openDatabase(path, busyTimeoutMs, synchronous, options.migrations);
  let closed = false;
  const feed = createChangeFeed(db, path);
  const docs = createSqliteDocuments(db);

  const sql = {
    insert: db.prepare(`INSERT INTO versions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING`),
    get: db.prepare(`SELECT ${COLUMNS} FROM versions WHERE name = ? AND version = ?`),
    list: db.prepare(`SELECT ${COLUMNS} FROM versions WHERE name = ?`),
    listNumbers: db.prepare('SELECT version FROM versions WHERE name = ?').pluck(),
    names: db.prepare('SELECT DISTINCT name FROM versions'),
    pageFirst: db.prepare(`SELECT ${COLUMNS} FROM versions ORDER BY name, version LIMIT ?`),
    pageAfter: db.prepare(`SELECT ${COLUMNS} FROM versions WHERE (name, version) > (?, ?) ORDER BY name, version LIMIT ?`),
    delete: db.prepare('DELETE FROM versions WHERE name = ? AND version = ?'),
    referenced: db.prepare('SELECT 1 FROM versions WHERE digest = ? LIMIT 1'),
    addDownloads: db.prepare('INSERT INTO downloads (name, count) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count'),
    getDownloads: db.prepare('SELECT count FROM downloads WHERE name = ?'),
  };

  const insertTx = db.transaction((record: VersionRecord, writes: readonly DocumentWrite[] | undefined, texts: readonly string[]): InsertOutcome => {
    const { changes } = sql.insert.run(record.name, record.version, record.digest, record.size, record.publishedAt, JSON.stringify(record.metadata));
    if (changes === 1) {
      // Inside insertTx's savepoint: a failed revision check undoes the insert as well.
      if (writes && writes.length > 0) docs.apply(writes, texts);
      return { status: 'inserted' };
    }
    const existing = toRecord(sql.get.get(record.name, record.version) as Row);
    return existing.digest === record.digest ? { status: 'unchanged', existing } : { status: 'conflict', existing };
  });
  /**
   * Group commit: inserts asked for while the event loop turns once go into one transaction, so
   * concurrent publishers share its WAL flush (the flush, not the statements, is the cost of a
   * durable insert). Each record runs in its own savepoint (insertTx nested here), so one that
   * fails fails alone; its caller gets the error, the others their outcomes. A caller on its own
   * waits one loop turn longer (a few microseconds).
   */
  const batchTx = db.transaction((batch: readonly QueuedInsert[]): Array<InsertOutcome | Error> =>
    batch.map(({ record, writes, texts }) => {
      try {
        return insertTx(record, writes, texts);
      } catch (err) {
        if (isBusy(err)) throw err; // the whole batch waits and retries
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
  interface QueuedInsert {
    record: VersionRecord;
    writes: readonly DocumentWrite[] | undefined;
    /** The writes' JSON texts, made once by checkDocumentWrites. */
    texts: readonly string[];
    resolve: (outcome: InsertOutcome) => void;
    reject: (err: unknown) => void;
  }
  let queued: QueuedInsert[] = [];
  const describeBatch = (batch: readonly QueuedInsert[]): string =>
    `insert ${batch[0]!.record.name}@${batch[0]!.record.version}${batch.length > 1 ? ` (with ${batch.length - 1} other version${batch.length > 2 ? 's' : ''} in one transaction)` : ''}`;
  const settleBatch = (batch: readonly QueuedInsert[], outcomes: ReadonlyArray<InsertOutcome | Error>): void => {
    batch.forEach((q, i) => {
      const outcome = outcomes[i]!;
      if (outcome instanceof Error) q.reject(toMetaError(outcome, path, `insert ${q.record.name}@${q.record.version}`));
      else q.resolve(outcome);
    });
  };
  /**
   * This connection's writes, one at a time. A guarded removal (removeIfUnreferenced) holds the
   * database's write lock across an await; a write of ours started meanwhile would run inside
   * its transaction (on one connection a nested transaction is a savepoint) and slip past the
   * guard, so writes queue here instead. Reads need no turn.
   */
  let writing: Promise<unknown> = Promise.resolve();
  function exclusively<T>(work: () => Promise<T>): Promise<T> {
    const result = writing.then(work, work);
    writing = result.catch(() => undefined);
    return result;
  }

  const isDigestReferenced = (digest: Digest): Promise<boolean> => run(`look up ${digest}`, () => sql.referenced.get(digest) !== undefined);

  const flushInserts = (): void => {
    void exclusively(async () => {
      // Taken when this write's turn comes: inserts queued while a removal held the lock go in
      // one transaction after it.
      const batch = queued;
      queued = [];
      if (batch.length === 0) return;
      try {
        const outcomes = await run(describeBatch(batch), () => {
          const committed = batchTx.immediate(batch);
          feed.noteOwnWrite(); // in the same synchronous step: no feed read can fall in between
          return committed;
        });
        settleBatch(batch, outcomes);
      } catch (err) {
        batch.forEach((q) => q.reject(err));
      }
    });
  };
  const deleteTx = db.transaction((name: string, version: string, writes: readonly DocumentWrite[] | undefined, texts: readonly string[]): VersionRecord | undefined => {
    const row = sql.get.get(name, version) as Row | undefined;
    if (!row) return undefined;
    sql.delete.run(name, version);
    if (writes && writes.length > 0) docs.apply(writes, texts);
    return toRecord(row);
  });
  const downloadsTx = db.transaction((name: string, count: number) => {
    sql.addDownloads.run(name, count);
  });
  const getDownloadsTx = db.transaction((names: readonly string[]) => {
    const out = new Map<string, number>();
    for (const name of names) {
      const row = sql.getDownloads.get(name) as { count: number } | undefined;
      out.set(name, row?.count ?? 0);
    }
    return out;
  });

  /** Runs one synchronous database step, retrying lock errors until busyTimeoutMs, mapping every failure to a code. */
  async function run<T>(what: string, step: () => T): Promise<T> {
    if (closed) throw new RegistryError('E_CLOSED', `the metadata database ${path} was used after close()`);
    const deadline = Date.now() + busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return step();
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw toMetaError(err, path, what);
        await sleep(Math.min(100, 2 ** attempt + Math.random() * 5));
      }
    }
  }

  return {
    info: { name: 'sqlite', family: 'metadata', coreRange: `^${CORE_VERSION}` },
    capabilities: { multiProcess: true, persistent: true },

    async insertVersion(record, writes) {
      checkVersionRecord(record);
      const texts = writes === undefined ? [] : checkDocumentWrites(writes);
      if (closed) throw new RegistryError('E_CLOSED', `the metadata database ${path} was used after close()`);
      return new Promise<InsertOutcome>((resolve, reject) => {
        queued.push({ record, writes, texts, resolve, reject });
        if (queued.length === 1) setImmediate(flushInserts);
      });
    },

    getVersion(name, version) {
      return run(`read ${name}@${version}`, () => {
        const row = sql.get.get(name, version) as Row | undefined;
        return row ? toRecord(row) : undefined;
      });
    },

    listVersions(name) {
      return run(`list versions of ${name}`, () => (sql.list.all(name) as Row[]).map(toRecord));
    },

    listVersionNumbers(name) {
      return run(`list version numbers of ${name}`, () => sql.listNumbers.all(name) as string[]);
    },

    listPackageNames() {
      // Sorted in JS so the order is the same as every other provider's (UTF-16 code units).
      return run('list package names', () => (sql.names.all() as Array<{ name: string }>).map((r) => r.name).sort());
    },

    async *allVersions() {
      // Keyset pages, one short query each: no statement stays open across a yield, so callers
      // may write (delete, insert) while iterating, and memory stays bounded by pageSize.
      let last: Row | undefined;
      for (;;) {
        const after = last;
        const page = await run('iterate versions', () =>
          (after ? sql.pageAfter.all(after.name, after.version, pageSize) : sql.pageFirst.all(pageSize)) as Row[],
        );
        for (const row of page) yield toRecord(row);
        if (page.length < pageSize) return;
        last = page[page.length - 1];
      }
    },

    async deleteVersion(name, version, writes) {
      const texts = writes === undefined ? [] : checkDocumentWrites(writes);
      return exclusively(() =>
        run(`delete ${name}@${version}`, () => {
          const removed = deleteTx.immediate(name, version, writes, texts);
          if (removed) feed.noteOwnWrite();
          return removed;
        }),
      );
    },

    isDigestReferenced,

    removeIfUnreferenced(digest: Digest, remove: () => Promise<boolean>) {
      return exclusively(async () => {
        // BEGIN IMMEDIATE takes the database's write lock: from here until COMMIT no process can
        // insert a version, so "nothing refers to it" stays true while the blob is removed.
        await run(`lock ${path} to remove ${digest}`, () => db.exec('BEGIN IMMEDIATE'));
        try {
          if (await isDigestReferenced(digest)) return false;
          return await remove();
        } finally {
          // Nothing was written: ending the transaction only releases the lock.
          if (db.open && db.inTransaction) db.exec('COMMIT');
        }
      });
    },

    changesSince(cursor) {
      return run('read the change feed', () => feed.since(cursor));
    },

    async addDownloads(name, count) {
      checkDownloadCount(name, count);
      return exclusively(() => run(`count downloads of ${name}`, () => downloadsTx.immediate(name, count)));
    },

    getDownloads(names) {
      return run('read download counts', () => getDownloadsTx.deferred(names));
    },

    documents: {
      get: (kind, key) => run(`read document ${String(kind)}/${String(key).slice(0, 80)}`, () => docs.get(kind, key)),
      list: (kind, listOptions) => run(`list documents of kind ${String(kind)}`, () => docs.list(kind, listOptions)),
      async write(writes) {
        const texts = checkDocumentWrites(writes);
        if (writes.length === 0) return;
        await exclusively(() => run(`write ${writes.length} document(s)`, () => docs.writeTx.immediate(writes, texts)));
      },
    },

    close() {
      if (closed) return;
      // Inserts still waiting for their loop turn are committed now, not dropped; unless a
      // removal holds the lock meanwhile (closed mid-gc; the only transaction that stays open
      // across an await): committed inside its transaction they would slip past its guard, so
      // they fail instead, and nothing was acknowledged.
      const batch = queued;
      queued = [];
      if (batch.length > 0 && db.inTransaction) {
        for (const q of batch) q.reject(new RegistryError('E_CLOSED', `the metadata database ${path} was closed while a blob removal held its lock; ${describeBatch(batch)} was not committed`));
      } else if (batch.length > 0) {
        try {
          settleBatch(batch, batchTx.immediate(batch));
        } catch (err) {
          for (const q of batch) q.reject(toMetaError(err, path, describeBatch(batch)));
        }
      }
      closed = true;
      db.close();
    },
  };
}

export default createSqliteMetadata;

function toRecord(row: Row): VersionRecord {
  return {
    name: row.name,
    version: row.version,
    digest: row.digest as Digest,
    size: row.size,
    publishedAt: row.published_at,
    metadata: JSON.parse(row.metadata) as VersionRecord['metadata'],
  };
}

/** Opens, configures and migrates the database; any failure closes it and leaves the file as it was. */
function openDatabase(path: string, busyTimeoutMs: number, synchronous: 'full' | 'normal', migrations?: readonly Migration[]): Db {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw toMetaError(err, path, 'create its folder');
  }
  let db: Db | undefined;
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      db = new Database(path, { timeout: busyTimeoutMs });
      // Reading the header first: a foreign file fails here (SQLITE_NOTADB) before anything is written.
      db.pragma('schema_version');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
      db.pragma('foreign_keys = ON');
      migrate(db, path, migrations);
      return db;
    } catch (err) {
      db?.close();
      db = undefined;
      if (!isBusy(err) || Date.now() >= deadline) throw toMetaError(err, path, 'open the database');
      sleepSync(Math.min(100, 2 ** attempt + Math.random() * 5));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Construction is synchronous (a factory), so its rare lock retries wait without the event loop. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
