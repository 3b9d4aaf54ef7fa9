/**
 * Numbered schema migrations for the PostgreSQL metadata store, applied at open. The schema's
 * `schema_version` table holds one row: the number of the last migration applied. The missing
 * ones run in order in one transaction under an advisory lock of the schema's own (so two
 * processes starting on a fresh database cannot both migrate, and a failing step leaves the
 * previous schema whole: PostgreSQL's DDL is transactional). A schema whose version is higher than
 * the last migration known here was written by newer code: it is refused (E_META_SCHEMA_NEWER),
 * never altered; so is a schema holding tables pakt did not make (E_META_SCHEMA_FOREIGN).
 *
 * Migrations are append-only: a released one is never edited, a change is a new number.
 */
import { RegistryError } from '../../../src/errors.js';
import { changeFeedSql, documentsSql, versionsSql, writePathsSql } from './schema-sql.js';

/**
 * What the migrations ask of a connection: pg's PoolClient has it. Spelled out so that the
 * provider's public types (its options name PostgresMigration) need no @types/pg.
 */
export interface MigrationClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface PostgresMigration {
  /** 1, 2, 3, ... in order without gaps. */
  version: number;
  /** What it does, in words (kept in schema_history). */
  description: string;
  /** The statements, given the quoted schema name. */
  sql: (schema: string) => string;
}

export const MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, description: 'versions with UNIQUE(name, version), digest index, download counts', sql: versionsSql },
  { version: 2, description: 'change feed: changes(xid, name) filled by triggers on versions, cursors are snapshots', sql: changeFeedSql },
  { version: 3, description: 'documents: the registry state beside versions, JSON under (kind, key) with a revision; apply_documents', sql: documentsSql },
  { version: 4, description: 'write paths in one round trip: insert_versions (group commit, shared blob locks), delete_version', sql: writePathsSql },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface SchemaLocation {
  /** Unquoted schema name (validated: a-z 0-9 _). */
  name: string;
  /** `user@host:port/database`, for messages. */
  target: string;
  /** The advisory lock key that serialises migrations of this schema. */
  migrationLock: bigint;
}

/** `"name"`: the schema name as an SQL identifier (names are validated to need no escaping). */
export const quoted = (schema: string): string => `"${schema}"`;

/** Reads the schema version: 0 for no schema or an empty one. Throws on a foreign or damaged schema. */
export async function readSchemaVersion(client: MigrationClient, where: SchemaLocation): Promise<number> {
  const { rows } = await client.query<{ tables: string[] | null; versioned: boolean }>(
    `SELECT array_agg(c.relname::text ORDER BY c.relname) FILTER (WHERE c.relkind IN ('r', 'p', 'v', 'm')) AS tables,
            coalesce(bool_or(c.relname = 'schema_version' AND c.relkind = 'r'), false) AS versioned
       FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
      WHERE n.nspname = $1`,
    [where.name],
  );
  const tables = rows[0]?.tables ?? [];
  if (!rows[0]?.versioned) {
    if (tables.length > 0) {
      throw new RegistryError(
        'E_META_SCHEMA_FOREIGN',
        `schema ${where.name} of metadata database ${where.target} holds tables pakt did not create (${tables.slice(0, 5).join(', ')}) and no schema_version; it was left untouched`,
        { database: where.target, schema: where.name, found: tables.slice(0, 20) },
      );
    }
    return 0;
  }
  const version = await client.query<{ version: number }>(`SELECT version FROM ${quoted(where.name)}.schema_version`);
  const found = version.rows.length === 1 ? version.rows[0]!.version : undefined;
  if (!Number.isSafeInteger(found) || (found as number) < 1) {
    throw new RegistryError(
      'E_META_SCHEMA_FOREIGN',
      `schema ${where.name} of metadata database ${where.target} has a damaged schema_version table (found ${JSON.stringify(version.rows)}); it was left untouched`,
      { database: where.target, schema: where.name, found: version.rows },
    );
  }
  return found as number;
}

/**
 * Brings the schema to the last of `migrations`; returns the versions applied. The up-to-date
 * case reads once and takes no lock; otherwise the read is repeated under the lock, as another
 * process may have migrated meanwhile.
 */
export async function migrate(client: MigrationClient, where: SchemaLocation, migrations: readonly PostgresMigration[] = MIGRATIONS, create = true): Promise<number[]> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RegistryError('E_INTERNAL', `migration list is out of order: position ${i + 1} holds version ${m.version}`);
  });
  const target = migrations.length;
  const seen = await readSchemaVersion(client, where);
  refuseNewer(seen, target, where);
  if (seen === target) return [];
  if (seen === 0 && !create) {
    throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store in schema ${where.name} of metadata database ${where.target}`, {
      database: where.target,
      schema: where.name,
      hint: 'Check the database in the URL and the schema option; open it once with create: true (the default) to make a new store there.',
    });
  }
  const s = quoted(where.name);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [where.migrationLock.toString()]);
    const current = await readSchemaVersion(client, where);
    refuseNewer(current, target, where);
    if (current === 0) {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [where.name]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(`
        CREATE TABLE ${s}.schema_version (version integer NOT NULL);
        INSERT INTO ${s}.schema_version (version) VALUES (0);
        CREATE TABLE ${s}.schema_history (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      `);
    }
    const applied: number[] = [];
    for (const m of migrations.slice(current)) {
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.schema_history (version, description) VALUES ($1, $2)`, [m.version, m.description]);
      applied.push(m.version);
    }
    if (applied.length > 0) await client.query(`UPDATE ${s}.schema_version SET version = $1`, [target]);
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function refuseNewer(current: number, target: number, where: SchemaLocation): void {
  if (current > target) {
    throw new RegistryError(
      'E_META_SCHEMA_NEWER',
      `schema ${where.name} of metadata database ${where.target} has schema version ${current}, but this pakt knows schema versions up to ${target}; upgrade pakt to open it`,
      { database: where.target, schema: where.name, expected: target, found: current },
    );
  }
}
