/**
 * Numbered schema migrations for the SQLite metadata store. The `schema_version` table holds one
 * row: the number of the last migration applied. Opening a database applies the missing ones in
 * order, all in one IMMEDIATE transaction (so two processes opening a fresh store at once cannot
 * both migrate, and a failed step leaves the previous schema intact). A database whose version is
 * higher than the last migration known here was written by newer code: it is refused
 * (E_META_SCHEMA_NEWER), never altered.
 *
 * Migrations are append-only: a released one is never edited, a change is a new number.
 */
import type { Database } from 'better-sqlite3';
import { RegistryError } from '../../src/errors.js';

export interface Migration {
  /** 1, 2, 3, ... in order without gaps. */
  version: number;
  /** What it does, in words (kept in the history table). */
  description: string;
  sql: string;
}

/**
 * The change feed keeps at least the last CHANGES_KEPT changes: every CHANGES_PRUNED_EVERY-th
 * change drops those older than that, so the table holds at most CHANGES_KEPT +
 * CHANGES_PRUNED_EVERY - 1 rows (a few hundred KB). Migration 2 writes both into its trigger;
 * other numbers are a new migration. A search process further behind rebuilds its index once.
 */
export const CHANGES_KEPT = 10_000;
export const CHANGES_PRUNED_EVERY = 1_000;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'versions with UNIQUE(name, version), digest index, download counts',
    sql: `
      CREATE TABLE versions (
        name         TEXT    NOT NULL,
        version      TEXT    NOT NULL,
        digest       TEXT    NOT NULL,
        size         INTEGER NOT NULL CHECK (size >= 0),
        published_at TEXT    NOT NULL,
        metadata     TEXT    NOT NULL,   -- metadata.json as validated, JSON text, unknown fields kept
        PRIMARY KEY (name, version)      -- immutability: one row per name@version, decided by SQLite
      ) WITHOUT ROWID;
      CREATE INDEX versions_by_digest ON versions (digest);
      CREATE TABLE downloads (
        name  TEXT    NOT NULL PRIMARY KEY,
        count INTEGER NOT NULL CHECK (count >= 0)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: `change feed: changes(seq, name) filled by triggers on versions, at least the last ${CHANGES_KEPT} kept`,
    // Triggers, not code in the provider: every write path (this code, an older pakt still running
    // on the store, a manual fix in the sqlite3 shell) is logged, in the writing transaction.
    // seq is the rowid, given as the highest + 1; pruning removes only the oldest rows, never the
    // highest, so a seq is not given twice. (AUTOINCREMENT would guarantee that even against a
    // hand-emptied table, but its sqlite_sequence write, and pruning on every change rather than
    // in batches, measured +30-50 µs per insert transaction; a reader whose cursor is beyond the
    // highest seq is told its answer is incomplete anyway.)
    sql: `
      CREATE TABLE changes (
        seq  INTEGER PRIMARY KEY,
        name TEXT    NOT NULL
      );
      CREATE TRIGGER versions_logged_insert AFTER INSERT ON versions
      BEGIN
        INSERT INTO changes (name) VALUES (NEW.name);
      END;
      CREATE TRIGGER versions_logged_delete AFTER DELETE ON versions
      BEGIN
        INSERT INTO changes (name) VALUES (OLD.name);
      END;
      CREATE TRIGGER versions_logged_update AFTER UPDATE ON versions
      BEGIN
        INSERT INTO changes (name) VALUES (OLD.name);
        INSERT INTO changes (name) SELECT NEW.name WHERE NEW.name <> OLD.name;
      END;
      CREATE TRIGGER changes_pruned AFTER INSERT ON changes WHEN NEW.seq % ${CHANGES_PRUNED_EVERY} = 0
      BEGIN
        DELETE FROM changes WHERE seq <= NEW.seq - ${CHANGES_KEPT};
      END;
    `,
  },
  {
    version: 3,
    description: 'documents: the registry state beside versions (trust, policy, users, tokens, ...), JSON under (kind, key) with a revision',
    // BINARY collation (the default) orders keys by their UTF-8 bytes, as the contract requires.
    sql: `
      CREATE TABLE documents (
        kind       TEXT    NOT NULL,
        key        TEXT    NOT NULL,
        value      TEXT    NOT NULL,   -- JSON text
        revision   INTEGER NOT NULL CHECK (revision >= 1),
        updated_at TEXT    NOT NULL,
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Reads the schema version; 0 for a database that has no pakt tables yet. Throws on a foreign database. */
export function readSchemaVersion(db: Database, path: string): number {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>).map((r) => r.name);
  if (!tables.includes('schema_version')) {
    if (tables.length > 0) {
      throw new RegistryError(
        'E_META_CORRUPT',
        `metadata database ${path} is a SQLite database but not a pakt store (it has tables ${tables.slice(0, 5).join(', ')} and no schema_version); it was left untouched`,
        { path, found: tables.slice(0, 20) },
      );
    }
    return 0;
  }
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: unknown } | undefined;
  if (!row || !Number.isSafeInteger(row.version) || (row.version as number) < 1) {
    throw new RegistryError('E_META_CORRUPT', `metadata database ${path} has a damaged schema_version table (found ${JSON.stringify(row ?? null)})`, { path, found: row ?? null });
  }
  return row.version as number;
}

/**
 * Brings the database to the last of `migrations` (MIGRATIONS by default; tests pass their own
 * lists to exercise upgrades). Returns the versions it applied.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RegistryError('E_INTERNAL', `migration list is out of order: position ${i + 1} holds version ${m.version}`);
  });
  const target = migrations.length;
  // The common case, an up-to-date store, needs only a read and takes no write lock; a newer
  // store is refused before any lock is taken (it may be on read-only media).
  const seen = readSchemaVersion(db, path);
  refuseNewer(seen, target, path);
  if (seen === target) return [];
  const run = db.transaction((): number[] => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const current = readSchemaVersion(db, path);
    refuseNewer(current, target, path);
    if (current === 0) {
      db.exec(`
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version (version) VALUES (0);
        CREATE TABLE schema_history (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);
      `);
    }
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_history (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, new Date().toISOString());
      applied.push(m.version);
    }
    if (applied.length > 0) db.prepare('UPDATE schema_version SET version = ?').run(target);
    return applied;
  });
  return run.immediate();
}

function refuseNewer(current: number, target: number, path: string): void {
  if (current > target) {
    throw new RegistryError(
      'E_META_SCHEMA_NEWER',
      `metadata database ${path} has schema version ${current}, but this pakt knows schema versions up to ${target}; upgrade pakt to open it`,
      { path, expected: target, found: current },
    );
  }
}
