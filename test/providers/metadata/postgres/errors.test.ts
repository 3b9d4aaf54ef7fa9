/**
 * What the PostgreSQL provider reports when things go wrong, against real servers: bad
 * credentials, an unknown database, an unreachable or TLS-less server, an untrusted certificate,
 * missing privileges, a statement timeout; every message free of the password. Plus the mapping
 * table itself, for the SQLSTATEs a test cannot easily provoke.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, toMetaError } from '../../../../providers/metadata/postgres/errors.js';
import { createPostgresMetadata } from '../../../../providers/metadata/postgres/index.js';
import { RegistryError } from '../../../../src/errors.js';
import { digestOfBytes } from '../../../../src/util/digest.js';
import { sampleRecord } from '../../../conformance/metadata.suite.js';
import { expectCode } from '../../../helpers/expect-code.js';
import { freshSchemaName, postgresUnavailable, startPostgres, type PostgresServer } from '../../../helpers/postgres-server.js';

const pgError = (code: string, message = `${code} happened`) => Object.assign(new Error(message), { code });

/** Every way an error can be shown or logged: none may contain `secret`. */
function expectNoSecret(err: unknown, secret: string): void {
  const shown = [
    err instanceof Error ? err.message : '',
    err instanceof Error ? (err.stack ?? '') : '',
    JSON.stringify(err instanceof RegistryError ? err.toJSON() : err),
    inspect(err, { depth: 8, showHidden: true }),
  ].join('\n');
  expect(shown).not.toContain(secret);
  expect(shown).not.toContain(encodeURIComponent(secret));
}

describe('postgres error mapping', () => {
  it.each([
    ['57P01', 'E_META_UNAVAILABLE'],
    ['57P02', 'E_META_UNAVAILABLE'],
    ['57P03', 'E_META_UNAVAILABLE'],
    ['08006', 'E_META_UNAVAILABLE'],
    ['53300', 'E_META_UNAVAILABLE'],
    ['40001', 'E_META_BUSY'],
    ['40P01', 'E_META_BUSY'],
    ['57014', 'E_META_TIMEOUT'],
    ['55P03', 'E_META_TIMEOUT'],
    ['28P01', 'E_META_AUTH_FAILED'],
    ['28000', 'E_META_AUTH_FAILED'],
    ['3D000', 'E_META_DATABASE_NOT_FOUND'],
    ['42501', 'E_META_PERMISSION_DENIED'],
    ['42P01', 'E_INTERNAL'],
  ])('SQLSTATE %s → %s, keeping the cause and naming the database', (state, code) => {
    const cause = pgError(state);
    const err = toMetaError(cause, { target: 'u@h:5432/db', what: 'insert a@1', secrets: [] });
    expect(err.code).toBe(code);
    expect(err.cause).toBe(cause);
    expect(err.details).toMatchObject({ database: 'u@h:5432/db', sqlState: state });
    expect(err.message).toContain('u@h:5432/db');
    if (['E_META_UNAVAILABLE', 'E_META_BUSY', 'E_META_TIMEOUT'].includes(code)) {
      expect(err.details.retryable).toBe(true);
      expect(err.spec.status).toBe(503);
      expect(err.message).toMatch(/retry/);
    }
  });

  it('network errors and pg\'s own connection messages are unavailable; TLS failures are TLS', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']) expect(classify(pgError(code)), code).toBe('unavailable');
    expect(classify(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(classify(new Error('timeout exceeded when trying to connect'))).toBe('unavailable');
    expect(classify(pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'))).toBe('tls');
    expect(classify(pgError('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('tls');
    expect(classify(new Error('The server does not support SSL connections'))).toBe('tls');
    expect(classify(new Error('something else'))).toBe('other');
  });

  it('a unique violation of (name, version) is E_VERSION_EXISTS; of another constraint, E_INTERNAL', () => {
    const ctx = { target: 't', what: 'insert a@1', secrets: [] };
    expect(toMetaError(Object.assign(pgError('23505'), { constraint: 'versions_name_version' }), ctx).code).toBe('E_VERSION_EXISTS');
    expect(toMetaError(Object.assign(pgError('23505'), { constraint: 'other_key' }), ctx).code).toBe('E_INTERNAL');
  });

  it('a write that lost its connection says it may or may not have been applied', () => {
    const err = toMetaError(pgError('57P01'), { target: 't', what: 'insert a@1', secrets: [], writeInDoubt: true });
    expect(err.message).toContain('may or may not have been applied');
  });

  it('a secret in a lower layer\'s message is redacted, and such a cause is not kept as it is', () => {
    const cause = new Error('could not parse postgres://u:hunter2-secret@h/db');
    const err = toMetaError(cause, { target: 'u@h:5432/db', what: 'connect', secrets: ['hunter2-secret'] });
    expect(err.cause).not.toBe(cause);
    expectNoSecret(err, 'hunter2-secret');
  });
});

describe('postgres provider options', () => {
  it.each([
    [{}, /missing required option `url`/],
    [{ url: 'not a url at all with pw s3cr3t-value' }, /not a valid URL/],
    [{ url: 'mysql://u:s3cr3t-value@h/db' }, /must start with postgres:\/\//],
    [{ url: 'postgres://u:s3cr3t-value@h/db', schema: 'Bad-Name' }, /option schema/],
    [{ url: 'postgres://u:s3cr3t-value@h/db', schema: 'pg_catalog' }, /option schema/],
    [{ url: 'postgres://u:s3cr3t-value@h/db', poolSize: 0 }, /poolSize/],
    [{ url: 'postgres://u:s3cr3t-value@h/db', statementTimeoutMs: -1 }, /statementTimeoutMs/],
    [{ url: 'postgres://u:s3cr3t-value@h/db?sslmode=require', ssl: true }, /TLS is set both/],
    [{ url: 'postgres://u:s3cr3t-value@h/db?sslmode=verify-full&sslrootcert=/no/such/ca.pem' }, /sslrootcert .*\/no\/such\/ca.pem \(ENOENT\)/],
  ])('refuses %j with E_PROVIDER_OPTION, never echoing the URL', async (options, message) => {
    const err = await expectCode(() => createPostgresMetadata(options as never), 'E_PROVIDER_OPTION');
    expect(err.message).toMatch(message);
    expectNoSecret(err, 's3cr3t-value');
  });
});

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`postgres provider against real servers${unavailable ? ` (${unavailable})` : ''}`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ durable: false });
  });
  afterAll(() => server?.destroy());
  const badUrl = (password: string) => server.url().replace(encodeURIComponent(server.password), encodeURIComponent(password));

  it('a wrong password is E_META_AUTH_FAILED, and neither that password nor the right one shows anywhere', async () => {
    const wrong = 'Wr0ng-p@ss:word/#1';
    const err = await expectCode(() => createPostgresMetadata({ url: badUrl(wrong), schema: freshSchemaName() }), 'E_META_AUTH_FAILED');
    expect(err.message).toContain(`postgres@127.0.0.1:${server.port}/postgres`);
    expect(err.hint).toMatch(/password/);
    expectNoSecret(err, wrong);
    expectNoSecret(err, server.password);
  });

  it('an unknown database is E_META_DATABASE_NOT_FOUND naming it', async () => {
    const err = await expectCode(() => createPostgresMetadata({ url: server.url('no_such_db'), schema: freshSchemaName() }), 'E_META_DATABASE_NOT_FOUND');
    expect(err.message).toContain('no_such_db');
    expect(err.hint).toMatch(/createdb|CREATE DATABASE/);
    expectNoSecret(err, server.password);
  });

  it('a server that does not answer is E_META_UNAVAILABLE, retryable, after connectTimeoutMs of retries', async () => {
    const closedPort = server.url().replace(`:${server.port}/`, ':1/');
    const started = Date.now();
    const err = await expectCode(() => createPostgresMetadata({ url: closedPort, connectTimeoutMs: 300 }), 'E_META_UNAVAILABLE');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(err.details.retryable).toBe(true);
    expect(err.message).toMatch(/retry/);
    expectNoSecret(err, server.password);
  });

  it('asking for TLS from a server without it is E_META_TLS', async () => {
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), ssl: true, schema: freshSchemaName() }), 'E_META_TLS');
    expect(err.hint).toMatch(/sslrootcert|ssl/);
  });

  it('a user without the CREATE privilege is E_META_PERMISSION_DENIED at first start; once the schema exists it works', async () => {
    const db = `perm_${freshSchemaName()}`;
    await server.sql(`CREATE DATABASE ${db}`);
    await server.sql(`CREATE ROLE limited LOGIN PASSWORD 'limited-pw'`).catch(() => undefined);
    await server.sql('REVOKE CREATE ON SCHEMA public FROM PUBLIC', [], db);
    const url = `postgres://limited:limited-pw@127.0.0.1:${server.port}/${db}`;
    const err = await expectCode(() => createPostgresMetadata({ url, schema: 'pakt' }), 'E_META_PERMISSION_DENIED');
    expect(err.message).toMatch(/migrate schema pakt/);
    expectNoSecret(err, 'limited-pw');
    // The operator creates the schema for it; then the user migrates it as its owner.
    await server.sql('CREATE SCHEMA pakt AUTHORIZATION limited', [], db);
    const m = await createPostgresMetadata({ url, schema: 'pakt' });
    expect(await m.insertVersion(sampleRecord('ok', '1.0.0'))).toEqual({ status: 'inserted' });
    await m.close();
  });

  it('a database that is not UTF8 is E_META_SERVER_UNSUPPORTED', async () => {
    const db = `ascii_${freshSchemaName()}`;
    await server.sql(`CREATE DATABASE ${db} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(db) }), 'E_META_SERVER_UNSUPPORTED');
    expect(err.message).toContain('SQL_ASCII');
  });

  it('a statement past statementTimeoutMs is E_META_TIMEOUT, retryable, and applies nothing', async () => {
    const schema = freshSchemaName();
    // Long enough for plain statements on a loaded machine, short for a test.
    const m = await createPostgresMetadata({ url: server.url(), schema, statementTimeoutMs: 1_500 });
    const other = await createPostgresMetadata({ url: server.url(), schema });
    const record = sampleRecord('slow', '1.0.0');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let removalStarted!: () => void;
    const started = new Promise<void>((resolve) => (removalStarted = resolve));
    // The other handle removes the blob of this digest and holds its lock meanwhile.
    const removal = other.removeIfUnreferenced!(record.digest, async () => {
      removalStarted();
      await held;
      return true;
    });
    await started;
    try {
      const err = await expectCode(() => m.insertVersion(record), 'E_META_TIMEOUT');
      expect(err.details.retryable).toBe(true);
    } finally {
      release();
    }
    expect(await removal).toBe(true);
    expect(await m.getVersion('slow', '1.0.0')).toBeUndefined();
    expect(await m.insertVersion(record)).toEqual({ status: 'inserted' });
    await m.close();
    await other.close();
  });

  it('a schema holding another application\'s tables is refused with E_META_SCHEMA_FOREIGN and left as it was', async () => {
    const schema = freshSchemaName();
    await server.sql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.users (id int)`);
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), schema }), 'E_META_SCHEMA_FOREIGN');
    expect(err.message).toContain('users');
    const tables = await server.sql<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
    expect(tables.map((t) => t.tablename)).toEqual(['users']);
  });

  it('a lost connection while the server shuts down is E_META_UNAVAILABLE for the caller, never an unhandled error', async () => {
    const schema = freshSchemaName();
    const m = await createPostgresMetadata({ url: server.url(), schema, connectTimeoutMs: 5_000 });
    await m.insertVersion(sampleRecord('before', '1.0.0'));
    // Every backend of this schema's pool is killed: idle ones raise on the pool (handled), and
    // the next statements get new connections.
    await server.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pakt' AND pid <> pg_backend_pid()`);
    expect(await m.getVersion('before', '1.0.0')).toBeDefined();
    expect(await m.isDigestReferenced(digestOfBytes('x'))).toBe(false);
    await m.close();
  });
});

describe.skipIf(unavailable !== undefined)('postgres provider over TLS', () => {
  let server: PostgresServer;
  let dir: string;
  let ca: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-pg-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'server.key'), '-out', path.join(dir, 'server.crt'),
    ], { stdio: 'ignore' });
    ca = readFileSync(path.join(dir, 'server.crt'), 'utf8');
    server = await startPostgres({
      durable: false,
      files: { 'server.crt': ca, 'server.key': readFileSync(path.join(dir, 'server.key'), 'utf8') },
      settings: { ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key' },
    });
  });
  afterAll(() => {
    server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the server\'s CA given, in the options or in the URL', async () => {
    const a = await createPostgresMetadata({ url: server.url(), ssl: { ca }, schema: freshSchemaName() });
    expect(await a.insertVersion(sampleRecord('tls', '1.0.0'))).toEqual({ status: 'inserted' });
    const [row] = await server.sql<{ ssl: boolean }>(`SELECT bool_and(s.ssl) AS ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'pakt'`);
    expect(row!.ssl).toBe(true);
    await a.close();
    const b = await createPostgresMetadata({ url: `${server.url()}?sslmode=verify-full&sslrootcert=${encodeURIComponent(path.join(dir, 'server.crt'))}`, schema: freshSchemaName() });
    await b.close();
  });

  it('a certificate no trusted CA signed is E_META_TLS', async () => {
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), ssl: true, schema: freshSchemaName() }), 'E_META_TLS');
    expect(err.message).toMatch(/TLS/);
    expectNoSecret(err, server.password);
  });
});
