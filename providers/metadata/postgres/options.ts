/**
 * The options of createPostgresMetadata, their defaults and checks, and the one description of
 * the database that messages use: `user@host:port/database`, never the password.
 */
import { accessSync, constants } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { RegistryError } from '../../../src/errors.js';
import type { PostgresMigration } from './migrations.js';

export interface PostgresMetadataOptions {
  /**
   * The database, as a libpq connection URL: `postgres://user:password@host:5432/database`
   * (`postgresql://` too). Query parameters pg understands are honoured, e.g.
   * `?sslmode=verify-full&sslrootcert=/etc/ssl/rds-ca.pem` for a managed server. A password with
   * `@ : / #` in it must be percent-encoded. Without a password in the URL, PGPASSWORD (or
   * ~/.pgpass) is used. Required.
   */
  url: string;
  /**
   * The schema that holds pakt's tables (default `pakt`); created at first start when missing.
   * Several stores may share one database, each in a schema of its own. 1-63 characters of
   * `a-z 0-9 _`, starting with a letter or `_`.
   */
  schema?: string;
  /**
   * Connections this provider keeps open at most (default 10). Each server process has its own
   * pool, so the database must allow poolSize × processes connections (max_connections).
   */
  poolSize?: number;
  /**
   * How long an operation may wait for a connection, in ms (default 10000): while the server is
   * down or restarting, new connections are retried with backoff for this long before the
   * operation fails with E_META_UNAVAILABLE. Also bounds one connection attempt (an unreachable host).
   */
  connectTimeoutMs?: number;
  /**
   * The server-side statement_timeout of every connection, in ms (default 30000; 0 = none). A
   * statement cancelled by it is rolled back and fails with E_META_TIMEOUT. Inserts wait on a blob
   * removal of the same digest (removeIfUnreferenced), so keep it above the slowest removal.
   */
  statementTimeoutMs?: number;
  /** An idle connection is closed after this many ms (default 30000). */
  idleTimeoutMs?: number;
  /**
   * TLS settings for node's tls.connect (`{ ca, cert, key, servername, rejectUnauthorized }`), or
   * true for TLS with the system's CAs. Give TLS either here or in the URL (`sslmode`,
   * `sslrootcert`), not both: pg lets the URL win silently, so both are refused.
   */
  ssl?: boolean | ConnectionOptions;
  /**
   * At most this many inserts asked for at the same time are committed in one transaction
   * (default 32; 1 commits each alone). See group commit in inserts.ts.
   */
  maxBatch?: number;
  /** The application_name the server shows in pg_stat_activity (default `pakt`). */
  applicationName?: string;
  /**
   * Use named prepared statements, planned once per connection (default true). Turn off behind a
   * pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
  /**
   * Make the store (schema and tables) when the schema holds none yet (default true). False
   * refuses with E_REGISTRY_NOT_FOUND instead, so a mistyped database or schema is an error
   * rather than a new, empty registry (what a CLI wants for every command but `init`).
   */
  create?: boolean;
  /** The schema history to apply; only tests of the migration runner pass their own. */
  migrations?: readonly PostgresMigration[];
}

export interface ResolvedOptions {
  url: string;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
  ssl: boolean | ConnectionOptions | undefined;
  maxBatch: number;
  applicationName: string;
  preparedStatements: boolean;
  create: boolean;
  /** `user@host:port/database`, for messages. */
  target: string;
  /** Every secret a message must never show (the URL's password, PGPASSWORD). */
  secrets: string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function optionError(message: string): RegistryError {
  return new RegistryError('E_PROVIDER_OPTION', `createPostgresMetadata: ${message}`);
}

function integer(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw optionError(`option ${name} must be an integer of at least ${min}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

export function resolveOptions(options: PostgresMetadataOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw optionError('needs an options object { url }');
  const { url } = options;
  if (typeof url !== 'string' || url === '') {
    throw optionError('missing required option `url`: the database, e.g. postgres://pakt:secret@db.example.com:5432/pakt');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL itself is never echoed: it may hold a password.
    throw optionError('option url is not a valid URL; the accepted form is postgres://user:password@host:port/database (percent-encode @ : / # in the password)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw optionError(`option url must start with postgres:// or postgresql://, got ${parsed.protocol}//…`);
  }
  const schema = options.schema ?? 'pakt';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw optionError(`option schema must be 1-63 characters of a-z, 0-9 and _ starting with a letter or _ (and not pg_), got ${JSON.stringify(String(schema).slice(0, 80))}`);
  }
  const tlsInUrl = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey'].some((p) => parsed.searchParams.has(p));
  if (options.ssl !== undefined && tlsInUrl) {
    throw optionError('TLS is set both in the url (sslmode, sslrootcert, ...) and in option ssl; give it in one place');
  }
  // pg reads these files when it connects; a wrong path is a configuration error, said at once.
  for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = parsed.searchParams.get(param);
    if (file === null) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      throw optionError(`the file given as ${param} in option url cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  if (options.ssl !== undefined && typeof options.ssl !== 'boolean' && (options.ssl === null || typeof options.ssl !== 'object')) {
    throw optionError('option ssl must be true, false or tls.connect options ({ ca, cert, key, ... })');
  }
  const applicationName = options.applicationName ?? 'pakt';
  if (typeof applicationName !== 'string' || applicationName.length > 63) throw optionError('option applicationName must be a string of at most 63 characters');
  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') throw optionError('option preparedStatements must be true or false');
  const create = options.create ?? true;
  if (typeof create !== 'boolean') throw optionError('option create must be true or false');
  const password = decodeSafely(parsed.password);
  const secrets = [password, parsed.password, parsed.searchParams.get('password') ?? '', process.env['PGPASSWORD'] ?? ''].filter((s) => s.length >= 1);
  return {
    url,
    schema,
    poolSize: integer(options.poolSize, 'poolSize', 10, 1),
    connectTimeoutMs: integer(options.connectTimeoutMs, 'connectTimeoutMs', 10_000, 1),
    statementTimeoutMs: integer(options.statementTimeoutMs, 'statementTimeoutMs', 30_000, 0),
    idleTimeoutMs: integer(options.idleTimeoutMs, 'idleTimeoutMs', 30_000, 1),
    ssl: options.ssl,
    maxBatch: integer(options.maxBatch, 'maxBatch', 32, 1),
    applicationName,
    preparedStatements,
    create,
    target: describeTarget(parsed),
    secrets: [...new Set(secrets)],
  };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `user@host:port/database` from the URL; the password and query parameters are left out. */
function describeTarget(url: URL): string {
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = url.port || url.searchParams.get('port') || '5432';
  const user = decodeSafely(url.username) || url.searchParams.get('user') || process.env['PGUSER'] || '(default user)';
  const database = decodeSafely(url.pathname.replace(/^\//, '')) || url.searchParams.get('dbname') || user;
  return `${user}@${host}:${port}/${database}`;
}

/** Replaces every secret in `text` by `***`: the last line of defence for messages made elsewhere. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
