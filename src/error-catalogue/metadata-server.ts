import { defineErrors } from './spec.js';

/**
 * A metadata store behind a database server (the PostgreSQL provider): reaching it, logging in,
 * and what the server refuses. The codes a caller may simply retry (E_META_UNAVAILABLE,
 * E_META_TIMEOUT) have status 503 and carry `details.retryable: true`; the others need an
 * operator to change the configuration or the server.
 */
export const METADATA_SERVER_ERRORS = defineErrors({
  E_META_UNAVAILABLE: {
    meaning: 'The metadata database server could not be reached or dropped the connection (down, restarting, shutting down, out of connections, or the network failed). Retryable.',
    hint: 'Retry in a moment: an operation that failed this way was not acknowledged, and publishing the same archive again is safe. If it persists, check that the database server named in the message is running and reachable, and that it has free connections (max_connections).',
    status: 503, userFault: false, exit: 1,
  },
  E_META_TIMEOUT: {
    meaning: 'A statement on the metadata database server ran longer than the statement timeout (a slow server, or a long wait for a lock) and was cancelled; nothing of it was applied. Retryable.',
    hint: 'Retry; if it keeps happening, look for long-running transactions on the database (pg_stat_activity), or raise the provider option statementTimeoutMs.',
    status: 503, userFault: false, exit: 1,
  },
  E_META_AUTH_FAILED: {
    meaning: 'The metadata database server refused the login: wrong user name or password, or no pg_hba.conf entry allows this user, host and database.',
    hint: 'Check the user and password in the metadata URL (postgres://user:password@host/db; a password with @ : / # must be percent-encoded), and that the server\'s pg_hba.conf admits this client.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_DATABASE_NOT_FOUND: {
    meaning: 'The database named in the metadata URL does not exist on the server.',
    hint: 'Create it first (`createdb -O <user> <database>`, or CREATE DATABASE), or correct the database name at the end of the URL.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_PERMISSION_DENIED: {
    meaning: 'The database user may log in but lacks a privilege pakt needs (creating its schema and tables at first start, or reading and writing them later).',
    hint: 'Grant it, e.g. `GRANT CREATE ON DATABASE <db> TO <user>` for the first start, or let the owner of the pakt schema run pakt; the message names the statement that was refused.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_TLS: {
    meaning: 'The TLS connection to the metadata database server failed: its certificate is not trusted or does not match the host name, or the server does not offer TLS.',
    hint: 'Give the server\'s CA certificate (sslrootcert=/path/ca.pem in the URL, or the provider option ssl: { ca }) and connect by the host name the certificate names; for a server without TLS, leave sslmode out of the URL.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_SCHEMA_FOREIGN: {
    meaning: 'The database schema given for pakt already holds tables that pakt did not create; it was left untouched.',
    hint: 'Give pakt a schema of its own (the provider option schema, default `pakt`), or empty that schema if its tables are no longer needed.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_ROW_DAMAGED: {
    meaning: 'A row of the metadata database holds a value pakt cannot read (its JSON text was changed by hand or by another program).',
    hint: 'Correct or delete the row the message names (its table and key are given); a version row can also be deleted and its package published again from a good copy.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_SERVER_UNSUPPORTED: {
    meaning: 'The metadata database server is too old (PostgreSQL 13 or later is needed) or its database does not use the UTF8 encoding.',
    hint: 'Use PostgreSQL 13 or later, and a database created with ENCODING \'UTF8\' (`createdb -E UTF8 -T template0 <database>`).',
    status: 500, userFault: false, exit: 1,
  },
});

/**
 * Details particular to this area's codes (every code also has the common ErrorDetails of
 * src/errors.ts, where `database`, `sqlState` and `retryable` are, since a database server's
 * failures also come as other areas' codes: E_VERSION_EXISTS, E_META_BUSY, E_INTERNAL, ...).
 */
export interface MetadataServerErrorDetails {
  E_META_UNAVAILABLE: {
    /** The archive whose removal lost its lock with the connection (`pakt verify` checks it). */
    digest?: string;
  };
  E_META_SCHEMA_FOREIGN: {
    /** The database schema given for pakt. */
    schema?: string;
  };
  E_META_SERVER_UNSUPPORTED: {
    /** What the server is: its server_version_num (e.g. 120005 for 12.5) and its database's encoding. */
    found?: { serverVersionNum: number; encoding: string };
  };
}
