/**
 * The advisory database file (`<store>/advisories.db`): its schema, opening it, and mapping
 * SQLite's errors to coded ones.
 *
 * Its own file, not tables in registry.db: an import of a whole feed (hundreds of thousands of
 * records) is one long write transaction, and in registry.db it would hold the write lock every
 * publish needs for its duration; here it blocks only another import. The database is derived
 * data (re-importable from its feed), so it is replaced, copied into a bundle or deleted as one
 * file, and the metadata schema stays the metadata provider's alone.
 *
 *   advisories  one row per record id: its modified time (as a sortable key), withdrawn time and
 *               the record as imported (rowid tables: records are kilobytes, too large for
 *               WITHOUT ROWID's in-index rows)
 *   affected    one row per (npm package name, record) the record affects while not withdrawn:
 *               the compiled rule (compile.ts) and the fields a finding shows, so a lookup is one
 *               indexed read of one table
 *   db_state    what status() reports (imported_at, version, records, newest_modified), written
 *               by each import in its transaction
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { RegistryError, type ErrorCode } from '../../../src/errors.js';

interface Migration {
  version: number;
  sql: string;
}

/** Append-only: a released migration is never edited. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE schema_version (version INTEGER NOT NULL);
      INSERT INTO schema_version (version) VALUES (0);
      CREATE TABLE advisories (
        id           TEXT NOT NULL UNIQUE,
        modified     TEXT NOT NULL,   -- as the record gives it
        modified_key TEXT NOT NULL,   -- UTC, nine-digit fraction: sorts in time order (timestamp.ts)
        withdrawn    TEXT,            -- null unless withdrawn
        record       TEXT NOT NULL    -- the record as imported, JSON
      );
      CREATE INDEX advisories_by_modified ON advisories (modified_key);
      CREATE TABLE affected (
        name      TEXT NOT NULL,      -- npm package name, lowercased
        id        TEXT NOT NULL,
        aliases   TEXT NOT NULL,      -- JSON array
        summary   TEXT,
        modified  TEXT NOT NULL,
        published TEXT,
        rule      TEXT NOT NULL       -- compile.ts serializeRule
      );
      CREATE UNIQUE INDEX affected_by_name ON affected (name, id);
      CREATE INDEX affected_by_id ON affected (id);
      CREATE TABLE db_state (
        key   TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A coded error for a failure while doing `what` on the database at `file`. */
export function toScannerError(err: unknown, file: string, what: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const sqlite = sqliteCode(err);
  let code: ErrorCode = 'E_ADVISORIES_UNREADABLE';
  if (sqlite === undefined) {
    const sys = (err as NodeJS.ErrnoException | undefined)?.code;
    code = sys ? 'E_IO' : 'E_INTERNAL';
  } else if (isBusy(err)) code = 'E_ADVISORIES_BUSY';
  else if (sqlite.startsWith('SQLITE_IOERR') || sqlite === 'SQLITE_FULL' || sqlite.startsWith('SQLITE_READONLY') || sqlite.startsWith('SQLITE_CANTOPEN') || sqlite === 'SQLITE_PERM') code = 'E_IO';
  const message =
    code === 'E_ADVISORIES_UNREADABLE' ? `advisory database ${file} cannot be read (${sqlite}: ${reason}); it was left untouched` :
    code === 'E_ADVISORIES_BUSY' ? `advisory database ${file} stayed locked by another import while trying to ${what} (${sqlite})` :
    `advisory database ${file}: cannot ${what}: ${reason}${sqlite ? ` (${sqlite})` : ''}`;
  return new RegistryError(code, message, { path: file, ...(sqlite ? { sqliteCode: sqlite } : {}) }, { cause: err });
}

export interface OpenOptions {
  busyTimeoutMs: number;
  synchronous: 'full' | 'normal';
  /** Create the file (and its folder) when missing; otherwise a missing file gives null. */
  create: boolean;
}

/** Opens (and migrates) the database; null when it does not exist and `create` is false. */
export function openDatabase(file: string, options: OpenOptions): Db | null {
  if (!options.create && !existsSync(file)) return null;
  let db: Db;
  try {
    if (options.create) mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { timeout: options.busyTimeoutMs });
  } catch (err) {
    throw toScannerError(err, file, 'open it');
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw toScannerError(err, file, 'open it');
  }
}

function readSchemaVersion(db: Db, file: string): number {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>).map((r) => r.name);
  if (!tables.includes('schema_version')) {
    if (tables.length > 0) {
      throw new RegistryError('E_ADVISORIES_UNREADABLE', `${file} is a SQLite database but not a pakt advisory database (tables ${tables.slice(0, 5).join(', ')}); it was left untouched`, { path: file });
    }
    return 0;
  }
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: unknown } | undefined;
  if (!row || !Number.isSafeInteger(row.version)) {
    throw new RegistryError('E_ADVISORIES_UNREADABLE', `advisory database ${file} has a damaged schema_version table`, { path: file });
  }
  return row.version as number;
}

function migrate(db: Db, file: string): void {
  const seen = readSchemaVersion(db, file);
  if (seen > SCHEMA_VERSION) {
    throw new RegistryError('E_ADVISORIES_UNREADABLE', `advisory database ${file} was written by a newer pakt (schema ${seen}; this one knows up to ${SCHEMA_VERSION}); it was left untouched`, { path: file, found: seen, expected: SCHEMA_VERSION });
  }
  if (seen === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const now = readSchemaVersion(db, file);
    for (const m of MIGRATIONS) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      db.prepare('UPDATE schema_version SET version = ?').run(m.version);
    }
  }).immediate();
}
