/**
 * The PostgreSQL provider's own cases, beyond the conformance suite: migrations (history, a newer
 * schema refused, a failing step rolled back, concurrent first starts), the change feed under
 * out-of-order commits, pruning and replaced stores, the blob guard between two pools, group
 * commit, and close() committing what was asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresMetadata, MIGRATIONS, SCHEMA_VERSION, type PostgresMetadataProvider, type PostgresMigration } from '../../../../providers/metadata/postgres/index.js';
import { CHANGES_KEPT, CHANGES_PRUNED_EVERY } from '../../../../providers/metadata/postgres/schema-sql.js';
import { sampleRecord } from '../../../conformance/metadata.suite.js';
import { expectCode } from '../../../helpers/expect-code.js';
import { freshSchemaName, postgresUnavailable, startPostgres, type PostgresServer } from '../../../helpers/postgres-server.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`postgres metadata: its own cases${unavailable ? ` (${unavailable})` : ''}`, () => {
  let server: PostgresServer;
  const handles: PostgresMetadataProvider[] = [];
  beforeAll(async () => {
    server = await startPostgres({ durable: false });
  });
  afterAll(() => server?.destroy());
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
  });
  async function open(schema: string, extra: Partial<Parameters<typeof createPostgresMetadata>[0]> = {}): Promise<PostgresMetadataProvider> {
    const m = await createPostgresMetadata({ url: server.url(), schema, ...extra });
    handles.push(m);
    return m;
  }
  const versionOf = async (schema: string) => (await server.sql<{ version: number }>(`SELECT version FROM ${schema}.schema_version`))[0]!.version;

  it('creates the schema at the current version, with its history, and stores metadata.json as JSON text', async () => {
    const schema = freshSchemaName();
    const m = await open(schema);
    expect(await versionOf(schema)).toBe(SCHEMA_VERSION);
    const history = await server.sql<{ version: number }>(`SELECT version FROM ${schema}.schema_history ORDER BY version`);
    expect(history.map((h) => h.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const record = sampleRecord('verbatim', '1.0.0', 'v', { 'x-order': { z: 1, a: 2 }, emoji: '📦' });
    await m.insertVersion(record);
    const [row] = await server.sql<{ metadata: string }>(`SELECT metadata FROM ${schema}.versions`);
    expect(row!.metadata).toBe(JSON.stringify(record.metadata));
  });

  it('several processes starting on a fresh schema at once migrate it once', async () => {
    const schema = freshSchemaName();
    await Promise.all(Array.from({ length: 4 }, () => open(schema, { poolSize: 1 })));
    const history = await server.sql<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.schema_history`);
    expect(Number(history[0]!.n)).toBe(SCHEMA_VERSION);
  });

  it('with create: false, a schema without a store is E_REGISTRY_NOT_FOUND and nothing is made; an existing store opens', async () => {
    const schema = freshSchemaName();
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), schema, create: false }), 'E_REGISTRY_NOT_FOUND');
    expect(err.message).toContain(schema);
    expect(await server.sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
    await open(schema);
    const again = await open(schema, { create: false });
    expect(await again.listPackageNames()).toEqual([]);
  });

  it('applies a newer migration to an existing schema once, keeping its data', async () => {
    const schema = freshSchemaName();
    const first = await open(schema);
    await first.insertVersion(sampleRecord('kept', '1.0.0'));
    const next: PostgresMigration = { version: MIGRATIONS.length + 1, description: 'test: a notes table', sql: (s) => `CREATE TABLE ${s}.notes (note text NOT NULL);` };
    const upgraded = await open(schema, { migrations: [...MIGRATIONS, next] });
    expect(await upgraded.getVersion('kept', '1.0.0')).toEqual(sampleRecord('kept', '1.0.0'));
    await open(schema, { migrations: [...MIGRATIONS, next] });
    expect(await versionOf(schema)).toBe(next.version);
  });

  it('a failing migration rolls back whole and leaves the previous schema', async () => {
    const schema = freshSchemaName();
    await open(schema);
    const broken: PostgresMigration = { version: MIGRATIONS.length + 1, description: 'test: fails halfway', sql: (s) => `CREATE TABLE ${s}.half (x int); SELECT * FROM ${s}.no_such_table;` };
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), schema, migrations: [...MIGRATIONS, broken] }), 'E_INTERNAL');
    expect(err.details.sqlState).toBe('42P01');
    expect(await versionOf(schema)).toBe(SCHEMA_VERSION);
    expect(await server.sql(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'half'`, [schema])).toEqual([]);
  });

  it('refuses a schema newer than this code, and leaves it unchanged', async () => {
    const schema = freshSchemaName();
    await open(schema);
    await server.sql(`UPDATE ${schema}.schema_version SET version = ${SCHEMA_VERSION + 5}`);
    const err = await expectCode(() => createPostgresMetadata({ url: server.url(), schema }), 'E_META_SCHEMA_NEWER');
    expect(err.details).toMatchObject({ expected: SCHEMA_VERSION, found: SCHEMA_VERSION + 5 });
    expect(await versionOf(schema)).toBe(SCHEMA_VERSION + 5);
  });

  it('the change feed misses no transaction that commits after a later one was read', async () => {
    const schema = freshSchemaName();
    const m = await open(schema);
    const start = await m.changesSince!();
    // A transaction of another client inserts first and stays open…
    const { default: pg } = await import('pg');
    const slow = new pg.Client({ connectionString: server.url() });
    await slow.connect();
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO ${schema}.versions (name, version, digest, size, published_at, metadata) VALUES ('early', '1.0.0', $1, 1, '2026-01-01T00:00:00.000Z', '{}')`, [sampleRecord('early', '1.0.0').digest]);
    // …while a later one commits and is read.
    await m.insertVersion(sampleRecord('late', '1.0.0'));
    const first = await m.changesSince!(start.cursor);
    expect(first).toMatchObject({ names: ['late'], complete: true });
    await slow.query('COMMIT');
    await slow.end();
    expect(await m.changesSince!(first.cursor)).toMatchObject({ names: ['early'], complete: true });
  });

  it('a cursor older than the changes kept, from another store, or from before a TRUNCATE gets complete: false', async () => {
    const schema = freshSchemaName();
    const m = await open(schema);
    const old = await m.changesSince!();
    await m.insertVersion(sampleRecord('one', '1.0.0'));
    // Enough changes, in transactions of 500, for the pruning trigger to prune.
    const n = CHANGES_KEPT + 3 * CHANGES_PRUNED_EVERY;
    for (let from = 0; from < n; from += 500) {
      await server.sql(`INSERT INTO ${schema}.versions (name, version, digest, size, published_at, metadata)
        SELECT 'bulk', '1.0.' || i, $1, 1, '2026-01-01T00:00:00.000Z', '{}' FROM generate_series(${from + 1}, ${from + 500}) AS i`, [sampleRecord('bulk', '1').digest]);
    }
    const [{ kept }] = (await server.sql<{ kept: string }>(`SELECT count(*) AS kept FROM ${schema}.changes`)) as [{ kept: string }];
    expect(Number(kept)).toBeLessThan(n);
    expect(Number(kept)).toBeGreaterThanOrEqual(CHANGES_KEPT);
    const stale = await m.changesSince!(old.cursor);
    expect(stale.complete).toBe(false);
    expect(await m.changesSince!(stale.cursor)).toMatchObject({ names: [], complete: true });

    const other = await open(freshSchemaName());
    expect((await other.changesSince!(stale.cursor)).complete).toBe(false);

    const before = await m.changesSince!();
    await server.sql(`TRUNCATE ${schema}.versions`);
    expect((await m.changesSince!(before.cursor)).complete).toBe(false);
  });

  it('a removal in one pool holds back an insert of the same digest in another, and no other insert', async () => {
    const schema = freshSchemaName();
    const p = await open(schema);
    const q = await open(schema);
    const record = sampleRecord('guarded', '1.0.0');
    const order: string[] = [];
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const removing = new Promise<void>((resolve) => (started = resolve));
    const removal = p.removeIfUnreferenced!(record.digest, async () => {
      started();
      await mayFinish;
      order.push('removed');
      return true;
    });
    await removing;
    const held = q.insertVersion(record).then((o) => (order.push('inserted'), o));
    expect(await q.insertVersion(sampleRecord('unrelated', '1.0.0'))).toEqual({ status: 'inserted' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual([]);
    finish();
    expect(await removal).toBe(true);
    expect(await held).toEqual({ status: 'inserted' });
    expect(order).toEqual(['removed', 'inserted']);
  });

  it('a removal that times out waiting for another\'s lock leaves its pool usable (no aborted transaction handed on)', async () => {
    const schema = freshSchemaName();
    const p = await open(schema);
    // Long enough for plain statements on a loaded machine, short for a test.
    const q = await open(schema, { poolSize: 1, statementTimeoutMs: 1_500 });
    const digest = sampleRecord('contended', '1.0.0').digest;
    let finish!: () => void;
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const removing = new Promise<void>((resolve) => (started = resolve));
    const first = p.removeIfUnreferenced!(digest, async () => (started(), await mayFinish, true));
    await removing;
    try {
      await expectCode(() => q.removeIfUnreferenced!(digest, async () => true), 'E_META_TIMEOUT');
      expect(await q.getVersion('contended', '1.0.0')).toBeUndefined();
      expect(await q.insertVersion(sampleRecord('other', '1.0.0'))).toEqual({ status: 'inserted' });
    } finally {
      // Released whatever failed above, or closing p would wait for its removal for ever.
      finish();
    }
    expect(await first).toBe(true);
    expect(await q.removeIfUnreferenced!(digest, async () => false)).toBe(false);
  });

  it('a removal whose connection is lost while it removes says so (E_META_UNAVAILABLE, asking for verify) rather than report success', async () => {
    const schema = freshSchemaName();
    const p = await open(schema, { poolSize: 1, applicationName: 'pakt-remover' });
    const digest = sampleRecord('lost', '1.0.0').digest;
    const err = await expectCode(() => p.removeIfUnreferenced!(digest, async () => {
      await server.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pakt-remover'`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return true;
    }), 'E_META_UNAVAILABLE');
    expect(err.message).toContain(digest);
    expect(err.message).toContain('pakt verify');
    expect(err.details.retryable).toBe(true);
    // The pool carries on with a new connection.
    expect(await p.insertVersion(sampleRecord('lost', '1.0.0'))).toEqual({ status: 'inserted' });
  });

  it('concurrent inserts share transactions (group commit); with maxBatch 1 each has its own', async () => {
    const count = 24;
    const xidsOf = async (maxBatch: number) => {
      const schema = freshSchemaName();
      const m = await open(schema, { maxBatch });
      const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => m.insertVersion(sampleRecord(`g${i}`, '1.0.0'))));
      expect(outcomes.every((o) => o.status === 'inserted')).toBe(true);
      const [row] = await server.sql<{ n: string }>(`SELECT count(DISTINCT xid) AS n FROM ${schema}.changes`);
      return Number(row!.n);
    };
    expect(await xidsOf(32)).toBe(1);
    expect(await xidsOf(8)).toBe(3);
    expect(await xidsOf(1)).toBe(count);
  });

  it('one record of a batch failing its revision check fails alone', async () => {
    const m = await open(freshSchemaName());
    await m.documents!.write([{ op: 'put', kind: 'lock', key: 'taken', value: 1 }]);
    const [a, b, c] = await Promise.allSettled([
      m.insertVersion(sampleRecord('a', '1.0.0'), [{ op: 'put', kind: 'sig', key: 'a', value: 1, expectRevision: 0 }]),
      m.insertVersion(sampleRecord('b', '1.0.0'), [{ op: 'put', kind: 'lock', key: 'taken', value: 2, expectRevision: 0 }]),
      m.insertVersion(sampleRecord('c', '1.0.0')),
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'inserted' } });
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason.code).toBe('E_META_CONFLICT');
    expect(c).toMatchObject({ status: 'fulfilled', value: { status: 'inserted' } });
    expect(await m.listPackageNames()).toEqual(['a', 'c']);
    expect(await m.documents!.get('lock', 'taken')).toMatchObject({ value: 1, revision: 1 });
  });

  it('close() commits inserts already asked for, then refuses new ones with E_CLOSED', async () => {
    const schema = freshSchemaName();
    const m = await createPostgresMetadata({ url: server.url(), schema });
    const pending = m.insertVersion(sampleRecord('last', '1.0.0'));
    await m.close();
    expect(await pending).toEqual({ status: 'inserted' });
    await expectCode(() => m.insertVersion(sampleRecord('after', '1.0.0')), 'E_CLOSED');
    await expectCode(() => m.getVersion('last', '1.0.0'), 'E_CLOSED');
    const again = await open(schema);
    expect(await again.getVersion('last', '1.0.0')).toBeDefined();
  });

  it('works without named prepared statements (for poolers that cannot keep them), and names its own when on', async () => {
    const schema = freshSchemaName();
    const plain = await open(schema, { preparedStatements: false, applicationName: 'pakt-unprepared' });
    await plain.insertVersion(sampleRecord('a', '1.0.0'));
    expect(await plain.getVersion('a', '1.0.0')).toEqual(sampleRecord('a', '1.0.0'));
    const start = await plain.changesSince!();
    await plain.deleteVersion('a', '1.0.0');
    expect(await plain.changesSince!(start.cursor)).toMatchObject({ names: ['a'], complete: true });
    const prepared = await open(schema, { poolSize: 1 });
    await prepared.getVersion('a', '1.0.0');
    await prepared.getVersion('b', '1.0.0');
    expect(await prepared.listPackageNames()).toEqual([]);
  });

  it('a row edited into something that is not JSON is E_META_ROW_DAMAGED naming it, not a raw parse error', async () => {
    const schema = freshSchemaName();
    const m = await open(schema);
    await m.insertVersion(sampleRecord('hand', '1.0.0'));
    await m.documents!.write([{ op: 'put', kind: 'policy', key: 'store', value: { ok: true } }]);
    await server.sql(`UPDATE ${schema}.versions SET metadata = '{not json'; UPDATE ${schema}.documents SET value = 'nope'`);
    const err = await expectCode(() => m.getVersion('hand', '1.0.0'), 'E_META_ROW_DAMAGED');
    expect(err.message).toContain('hand@1.0.0');
    expect((await expectCode(() => m.documents!.get('policy', 'store'), 'E_META_ROW_DAMAGED')).message).toContain('policy/store');
  });

  it('refuses a document key with a lone surrogate instead of storing another key', async () => {
    const m = await open(freshSchemaName());
    await expectCode(() => m.documents!.write([{ op: 'put', kind: 'k', key: 'a\uD800', value: 1 }]), 'E_INVALID_ARGUMENT');
    await expectCode(() => m.documents!.get('k', '\uDC00'), 'E_INVALID_ARGUMENT');
    expect(await m.documents!.list('k')).toEqual([]);
  });
});
