/**
 * bench/postgres: the registry on PostgreSQL metadata against the embedded SQLite, in the same
 * run, on a throwaway durable PostgreSQL server on 127.0.0.1 (fsync and synchronous_commit on),
 * both with the same fs-cas archive store (fsync on).
 *
 * 1. Through a CoreRegistryManager: durable small publishes per second, one after another and 8
 *    at a time, and getPackageInfo (latest, exact) p50/p95.
 * 2. The provider's choices, measured on their own:
 *    - group commit: 8 concurrent insertVersion loops with maxBatch 32 against maxBatch 1;
 *    - the blob guard: an insert alone, with a shared advisory lock, and with a row lock on a
 *      blobs row (the alternative);
 *    - the change feed: an insert with the change-table trigger, with a NOTIFY trigger, and with
 *      neither; changesSince answering "nothing new"; how late a NOTIFY reaches a listener.
 *
 *   npm run --silent bench:postgres            300 packages
 *   npm run --silent bench:postgres -- --quick 60 packages (a smoke run)
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createPostgresMetadata } from '../providers/metadata/postgres/index.js';
import { createSqliteMetadata } from '../providers/metadata/sqlite.js';
import { createIndexedSearch } from '../providers/search/indexed.js';
import { createFsStorage } from '../providers/storage/fs-cas.js';
import { createZipValidator } from '../providers/validation/zip.js';
import { createSemverVersioning } from '../providers/versioning/semver.js';
import type { MetadataProvider } from '../src/contracts/index.js';
import { CoreRegistryManager } from '../src/core/registry-manager.js';
import { buildPackage, type PackResult } from '../src/package/pack.js';
import { digestOfBytes } from '../src/util/digest.js';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js';
import { sampleRecord } from '../test/conformance/metadata.suite.js';
import { machineLine, percentile, REPO_ROOT, table, writeSection } from './lib/report.js';

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);
const us = (ms: number): string => `${Math.round(ms * 1000)} µs`;

async function makePackages(dir: string, count: number): Promise<PackResult[]> {
  mkdirSync(dir, { recursive: true });
  const out: PackResult[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pg-bench-${i}`;
    const files = { 'README.md': `# ${name}\n`, 'lib/index.js': `export const n = ${i};\n`.repeat(50) };
    out.push(await buildPackage({ metadata: { name, version: '1.0.0', description: `benchmark package ${i}` }, files }, path.join(dir, `${name}.zip`)));
  }
  return out;
}

function registryOn(metadata: MetadataProvider, store: string): CoreRegistryManager {
  return new CoreRegistryManager({
    metadata,
    storage: createFsStorage({ root: store, fsync: true }),
    versioning: createSemverVersioning(),
    validation: createZipValidator(),
    search: createIndexedSearch(),
    actor: 'bench',
  });
}

interface RegistryFigures {
  sequential: number;
  concurrent: number;
  latest: { p50: number; p95: number };
  exact: { p50: number; p95: number };
}

async function measureRegistry(open: (label: string) => Promise<MetadataProvider>, work: string, pkgs: PackResult[], warm: PackResult[]): Promise<RegistryFigures> {
  const half = Math.floor(pkgs.length / 2);
  const first = pkgs.slice(0, half);
  const second = pkgs.slice(half);
  const registry = registryOn(await open('a'), path.join(work, 'store'));
  await registry.publishPackage(warm[0]!.file);
  let t0 = performance.now();
  for (const p of first) await registry.publishPackage(p.file);
  const sequential = (first.length / (performance.now() - t0)) * 1000;
  let next = 0;
  t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < second.length) await registry.publishPackage(second[next++]!.file);
  }));
  const concurrent = (second.length / (performance.now() - t0)) * 1000;
  for (const p of pkgs.slice(0, 50)) await registry.getPackageInfo(p.name);
  const latest: number[] = [];
  const exact: number[] = [];
  for (const p of pkgs) {
    let t = performance.now();
    await registry.getPackageInfo(p.name);
    latest.push(performance.now() - t);
    t = performance.now();
    await registry.getPackageInfo(p.name, p.version);
    exact.push(performance.now() - t);
  }
  await registry.close();
  return { sequential, concurrent, latest: { p50: percentile(latest, 50), p95: percentile(latest, 95) }, exact: { p50: percentile(exact, 50), p95: percentile(exact, 95) } };
}

/** Inserts per second from 8 loops of insertVersion, each awaiting its own. */
async function concurrentInserts(server: PostgresServer, schema: string, maxBatch: number, count: number): Promise<number> {
  const m = await createPostgresMetadata({ url: server.url(), schema, maxBatch });
  await m.insertVersion(sampleRecord('warm', '1.0.0'));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) {
      const i = next++;
      await m.insertVersion(sampleRecord(`c${i}`, '1.0.0'));
    }
  }));
  const perSecond = (count / (performance.now() - t0)) * 1000;
  await m.close();
  return perSecond;
}

interface Variant {
  sql: string;
  params: (i: number) => unknown[];
}

/**
 * Median ms of each variant's single-row statement, each its own durable transaction, the
 * variants taking turns so that a busy moment of the machine falls on all of them alike.
 */
async function medianStatements(client: pg.Client, variants: readonly Variant[], count: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) for (const v of variants) await client.query(v.sql, v.params(-1 - i));
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (const [k, v] of variants.entries()) {
      const t0 = performance.now();
      await client.query(v.sql, v.params(i));
      times[k]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => percentile(t, 50));
}

interface ChoiceFigures {
  plain: number;
  advisory: number;
  rowLock: number;
  changeTable: number;
  notify: number;
  notifyDelay: { p50: number; p95: number };
}

/** The alternatives, on scratch tables of their own: the same row, with one extra each. */
async function measureChoices(server: PostgresServer, count: number): Promise<ChoiceFigures> {
  await server.sql(`
    CREATE SCHEMA choice;
    CREATE TABLE choice.plain (name text COLLATE "C", version text COLLATE "C", digest text, PRIMARY KEY (name, version));
    CREATE TABLE choice.logged (LIKE choice.plain INCLUDING ALL);
    CREATE TABLE choice.notified (LIKE choice.plain INCLUDING ALL);
    CREATE TABLE choice.blobs (digest text PRIMARY KEY);
    CREATE TABLE choice.changes (xid xid8 NOT NULL DEFAULT pg_current_xact_id(), name text NOT NULL);
    CREATE INDEX ON choice.changes (xid);
    CREATE FUNCTION choice.log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO choice.changes (name) VALUES (NEW.name); RETURN NULL; END $$;
    CREATE TRIGGER logged AFTER INSERT ON choice.logged FOR EACH ROW EXECUTE FUNCTION choice.log();
    CREATE FUNCTION choice.notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('pakt_changes', NEW.name); RETURN NULL; END $$;
    CREATE TRIGGER notified AFTER INSERT ON choice.notified FOR EACH ROW EXECUTE FUNCTION choice.notify();
  `);
  const client = new pg.Client({ connectionString: server.url() });
  const listener = new pg.Client({ connectionString: server.url() });
  await client.connect();
  await listener.connect();
  try {
    const row = (tag: string) => (i: number) => [`${tag}${i}`, '1.0.0', digestOfBytes(`${tag}${i}`)];
    // Every variant is INSERT ... SELECT, so they differ in the one thing measured only.
    const [plain, advisory, rowLock, changeTable, notify] = await medianStatements(client, [
      { sql: 'INSERT INTO choice.plain SELECT $1, $2, $3', params: row('p') },
      { sql: 'INSERT INTO choice.plain SELECT $1, $2, $3 FROM (SELECT pg_advisory_xact_lock_shared(7, $4)) AS l', params: (i) => [...row('a')(i), i] },
      // The row-lock alternative: every insert makes sure its digest's row exists and locks it
      // (an upsert that writes the row again), so a removal can lock that row exclusively.
      { sql: 'WITH b AS (INSERT INTO choice.blobs VALUES ($3) ON CONFLICT (digest) DO UPDATE SET digest = excluded.digest RETURNING 1) INSERT INTO choice.plain SELECT $1, $2, $3 FROM b', params: row('r') },
      { sql: 'INSERT INTO choice.logged SELECT $1, $2, $3', params: row('l') },
      { sql: 'INSERT INTO choice.notified SELECT $1, $2, $3', params: row('n') },
    ], count) as [number, number, number, number, number];
    // How long after the writer's commit returned the listener hears of it.
    await listener.query('LISTEN pakt_changes');
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      let heard!: () => void;
      const arrived = new Promise<void>((resolve) => (heard = resolve));
      listener.once('notification', () => heard());
      await client.query('INSERT INTO choice.notified VALUES ($1, $2, $3)', [`late${i}`, '1.0.0', digestOfBytes(`late${i}`)]);
      const committed = performance.now();
      await arrived;
      delays.push(performance.now() - committed);
    }
    return { plain, advisory, rowLock, changeTable, notify, notifyDelay: { p50: percentile(delays, 50), p95: percentile(delays, 95) } };
  } finally {
    await client.end();
    await listener.end();
  }
}

/** changesSince with nothing new: the round trip every search pays. */
async function nothingNew(server: PostgresServer, rounds: number): Promise<{ p50: number; p95: number }> {
  const m = await createPostgresMetadata({ url: server.url(), schema: 'feed_probe' });
  await m.insertVersion(sampleRecord('x', '1.0.0'));
  let cursor = (await m.changesSince!()).cursor;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    cursor = (await m.changesSince!(cursor)).cursor;
    times.push(performance.now() - t0);
  }
  await m.close();
  return { p50: percentile(times.slice(50), 50), p95: percentile(times.slice(50), 95) };
}

export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const quick = argv.includes('--quick');
  const count = quick ? 60 : 300;
  const loadAtStart = os.loadavg()[0]!;
  const work = path.join(REPO_ROOT, 'bench', '.work', 'postgres');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  process.stderr.write('postgres bench: starting a durable PostgreSQL on 127.0.0.1...\n');
  const server = await startPostgres({ durable: true });
  try {
    const [version] = await server.sql<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const pkgs = await makePackages(path.join(work, 'packages'), count + 2);
    const warm = pkgs.splice(count);
    process.stderr.write(`postgres bench: ${count} publishes on SQLite, then on PostgreSQL...\n`);
    const sqlite = await measureRegistry(async () => createSqliteMetadata({ path: path.join(work, 'sqlite', 'registry.db'), synchronous: 'full' }), path.join(work, 'sqlite'), pkgs, warm);
    const postgres = await measureRegistry(() => createPostgresMetadata({ url: server.url(), schema: 'bench' }), path.join(work, 'postgres'), pkgs, warm);
    process.stderr.write('postgres bench: the provider\'s choices...\n');
    const inserts = quick ? 400 : 2000;
    const grouped = await concurrentInserts(server, 'grouped', 32, inserts);
    const single = await concurrentInserts(server, 'single', 1, inserts);
    const choices = await measureChoices(server, quick ? 300 : 1500);
    const feed = await nothingNew(server, quick ? 300 : 2000);
    const loadAtEnd = os.loadavg()[0]!;

    writeSection(
      'postgres',
      `## PostgreSQL metadata against SQLite (\`npm run bench:postgres\`${quick ? ' -- --quick' : ''})

${machineLine()} PostgreSQL ${version!.v} on 127.0.0.1 (a throwaway server of the bench's own:
fsync and synchronous_commit on, shared_buffers 64 MB); load average ${f1(loadAtStart)} at the
start, ${f1(loadAtEnd)} at the end, on ${os.cpus().length} cores.

Through a CoreRegistryManager with the same fs-cas archive store (fsync on), ${count} small
packages (~${Math.round(pkgs[0]!.size / 1024)} KB): half published one after another, half by 8
concurrent callers; then getPackageInfo of each.

${table(['metadata', 'publishes/s (sequential)', 'publishes/s (8 concurrent)', 'info latest p50 / p95 ms', 'info exact p50 / p95 ms'], [
  ['SQLite (synchronous full)', f1(sqlite.sequential), f1(sqlite.concurrent), `${f2(sqlite.latest.p50)} / ${f2(sqlite.latest.p95)}`, `${f2(sqlite.exact.p50)} / ${f2(sqlite.exact.p95)}`],
  ['PostgreSQL', f1(postgres.sequential), f1(postgres.concurrent), `${f2(postgres.latest.p50)} / ${f2(postgres.latest.p95)}`, `${f2(postgres.exact.p50)} / ${f2(postgres.exact.p95)}`],
])}

The provider's choices, measured on their own in the same run:

${table(['what', 'figure', 'so'], [
  ['insertVersion, 8 concurrent loops, maxBatch 32 (group commit)', `${f1(grouped)} inserts/s`, `${f2(grouped / single)}× maxBatch 1`],
  ['insertVersion, 8 concurrent loops, maxBatch 1', `${f1(single)} inserts/s`, 'one transaction and round trip each'],
  ['one durable insert (median), no guard, no feed', us(choices.plain), 'baseline'],
  ['+ shared advisory lock of its digest (the blob guard chosen)', us(choices.advisory), `+${us(choices.advisory - choices.plain)}`],
  ['+ row lock on a blobs row instead (upsert, the alternative)', us(choices.rowLock), `+${us(choices.rowLock - choices.plain)}`],
  ['+ change-table trigger (the feed chosen)', us(choices.changeTable), `+${us(choices.changeTable - choices.plain)}`],
  ['+ NOTIFY trigger instead', us(choices.notify), `+${us(choices.notify - choices.plain)}`],
  ['changesSince, nothing new (one round trip) p50 / p95', `${us(feed.p50)} / ${us(feed.p95)}`, 'paid before each search'],
  ['NOTIFY reaching a listener after the commit returned, p50 / p95', `${us(choices.notifyDelay.p50)} / ${us(choices.notifyDelay.p95)}`, 'the window a NOTIFY-only feed would be stale'],
])}

The change table is kept although a NOTIFY signal would answer "nothing new" without a round
trip: a notification arrives only after the writer's commit has returned (the last row), so a
search sent to one server right after another acknowledged a publish could miss it, and
notifications sent while a listener is reconnecting are lost. The advisory lock needs no row per
digest, so an insert writes nothing more for the guard.`,
    );
    process.stderr.write(`postgres bench: PostgreSQL ${f1(postgres.sequential)}/s sequential, ${f1(postgres.concurrent)}/s concurrent; SQLite ${f1(sqlite.sequential)}/s, ${f1(sqlite.concurrent)}/s\n`);
  } finally {
    server.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  run().catch((err: unknown) => {
    process.stderr.write(`bench:postgres failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
