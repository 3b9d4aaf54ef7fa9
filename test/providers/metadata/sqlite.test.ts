import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteMetadata } from '../../../providers/metadata/sqlite.js';
import { CHANGES_KEPT, CHANGES_PRUNED_EVERY, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from '../../../providers/metadata/sqlite-migrations.js';
import type { MetadataProvider } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { digestOfBytes } from '../../../src/util/digest.js';
import { describeMetadataConformance, sampleRecord } from '../../conformance/metadata.suite.js';
import { expectCode } from '../../helpers/expect-code.js';
import { bundleChild, killAtRandomAfterFirstLine, runChild, type ChildBundle } from '../../util/child-bundle.js';

type SqliteUnderTest = MetadataProvider & { readonly dbPath: string };

async function freshPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'pakt-sqlite-')), 'registry.db');
}

function open_(path: string): SqliteUnderTest {
  return Object.assign(createSqliteMetadata({ path }), { dbPath: path });
}

await describeMetadataConformance<SqliteUnderTest>({
  name: 'sqlite',
  create: async () => open_(await freshPath()),
  reopen: (previous) => open_(previous.dbPath),
  cleanup: (p) => rm(join(p.dbPath, '..'), { recursive: true, force: true }),
});

describe('sqlite metadata: its own cases', () => {
  const dirs: string[] = [];
  const handles: MetadataProvider[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close?.();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function path(): Promise<string> {
    const p = await freshPath();
    dirs.push(join(p, '..'));
    return p;
  }
  function meta(options: Parameters<typeof createSqliteMetadata>[0]): MetadataProvider {
    const m = createSqliteMetadata(options);
    handles.push(m);
    return m;
  }

  it('creates a WAL database at the current schema version, with its history', async () => {
    const p = await path();
    meta({ path: p });
    const raw = new Database(p, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SCHEMA_VERSION });
      expect((raw.prepare('SELECT version FROM schema_history ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version))
        .toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      raw.close();
    }
  });

  it('stores metadata.json verbatim as JSON text', async () => {
    const p = await path();
    const m = meta({ path: p });
    const record = sampleRecord('verbatim', '1.0.0', 'v', { 'x-order': { z: 1, a: 2 }, emoji: '📦' });
    await m.insertVersion(record);
    const raw = new Database(p, { readonly: true });
    try {
      expect((raw.prepare('SELECT metadata FROM versions').get() as { metadata: string }).metadata).toBe(JSON.stringify(record.metadata));
    } finally {
      raw.close();
    }
  });

  it('applies a newer migration to an existing store, keeping its data, once', async () => {
    const p = await path();
    const first = meta({ path: p });
    await first.insertVersion(sampleRecord('kept', '1.0.0'));
    await first.close?.();
    const next: Migration = { version: MIGRATIONS.length + 1, description: 'test: a notes table', sql: 'CREATE TABLE notes (note TEXT NOT NULL);' };
    const upgraded = meta({ path: p, migrations: [...MIGRATIONS, next] });
    expect(await upgraded.getVersion('kept', '1.0.0')).toEqual(sampleRecord('kept', '1.0.0'));
    await upgraded.close?.();
    // Opening again with the same list applies nothing (the table would otherwise exist twice).
    meta({ path: p, migrations: [...MIGRATIONS, next] });
    const raw = new Database(p, { readonly: true });
    try {
      expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: next.version });
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'notes'").get()).toEqual({ name: 'notes' });
    } finally {
      raw.close();
    }
  });

  it('a failing migration rolls back whole and leaves the previous schema', async () => {
    const p = await path();
    (await meta({ path: p })).close?.();
    const broken: Migration = { version: MIGRATIONS.length + 1, description: 'test: fails halfway', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' };
    const err = await expectCode(() => createSqliteMetadata({ path: p, migrations: [...MIGRATIONS, broken] }), 'E_INTERNAL');
    expect(err.details.sqliteCode).toBe('SQLITE_ERROR');
    const raw = new Database(p, { readonly: true });
    try {
      expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SCHEMA_VERSION });
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it('refuses a store whose schema is newer than this code, and leaves it unchanged', async () => {
    const p = await path();
    (await meta({ path: p })).close?.();
    const raw = new Database(p);
    raw.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 5);
    raw.close();
    const before = await readFile(p);
    const err = await expectCode(() => createSqliteMetadata({ path: p }), 'E_META_SCHEMA_NEWER');
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 5}`);
    expect(err.details).toMatchObject({ expected: SCHEMA_VERSION, found: SCHEMA_VERSION + 5 });
    expect((await readFile(p)).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite, and never recreates it empty', async () => {
    const p = await path();
    const junk = Buffer.concat([Buffer.from('this is not a database\n'), randomBytes(8192)]);
    await writeFile(p, junk);
    const err = await expectCode(() => createSqliteMetadata({ path: p }), 'E_META_CORRUPT');
    expect(err.details.path).toBe(p);
    expect((await readFile(p)).equals(junk)).toBe(true);
  });

  it('refuses a SQLite database of some other application', async () => {
    const p = await path();
    const other = new Database(p);
    other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
    other.close();
    const err = await expectCode(() => createSqliteMetadata({ path: p }), 'E_META_CORRUPT');
    expect(err.message).toContain('users');
  });

  it('a store damaged after opening fails with E_META_CORRUPT, not a raw SQLite error', async () => {
    const p = await path();
    const m = meta({ path: p });
    for (let i = 0; i < 400; i++) await m.insertVersion(sampleRecord(`pkg-${i}`, '1.0.0', `seed-${i}`, { pad: 'x'.repeat(300) }));
    await m.close?.();
    // Fold the WAL into the main file, then overwrite every page after the first with garbage.
    const raw = new Database(p);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const size = (await stat(p)).size;
    const fh = await open(p, 'r+');
    await fh.write(randomBytes(size - 4096), 0, size - 4096, 4096);
    await fh.close();
    const err = await (async () => {
      try {
        const damaged = meta({ path: p });
        await damaged.listVersions('pkg-7');
        for await (const _ of damaged.allVersions()) { /* read everything */ }
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'E_META_CORRUPT' });
  });

  it('a lock held past busyTimeoutMs gives E_META_BUSY; once released, writes go through', async () => {
    const p = await path();
    const m = meta({ path: p, busyTimeoutMs: 300 });
    const holder = new Database(p);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const err = await expectCode(() => m.insertVersion(sampleRecord('blocked', '1.0.0')), 'E_META_BUSY');
      expect(err.details.sqliteCode).toMatch(/^SQLITE_BUSY/);
      expect(err.hint).toMatch(/busyTimeoutMs/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await m.insertVersion(sampleRecord('blocked', '1.0.0'))).toEqual({ status: 'inserted' });
  });

  it('inserts asked for at once are committed together, and one that fails fails alone', async () => {
    const p = await path();
    const m = meta({ path: p });
    // Another application's trigger refuses one name: that insert must fail without taking the
    // others of its transaction with it.
    const other = new Database(p);
    other.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON versions WHEN NEW.name = 'bad' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END");
    try {
      const settled = await Promise.allSettled([
        m.insertVersion(sampleRecord('good-a', '1.0.0')),
        m.insertVersion(sampleRecord('bad', '1.0.0')),
        m.insertVersion(sampleRecord('good-b', '1.0.0')),
        m.insertVersion(sampleRecord('good-a', '1.0.0')),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((settled[0] as PromiseFulfilledResult<unknown>).value).toEqual({ status: 'inserted' });
      expect((settled[3] as PromiseFulfilledResult<{ status: string }>).value.status).toBe('unchanged');
      const refused = (settled[1] as PromiseRejectedResult).reason as { code: string; message: string };
      expect(refused).toBeInstanceOf(RegistryError);
      expect(refused.code).toMatch(/^E_/);
      expect(refused.message).toContain('bad@1.0.0');
      expect(await m.getVersion('bad', '1.0.0')).toBeUndefined();
      expect((await m.listPackageNames())).toEqual(['good-a', 'good-b']);
    } finally {
      other.close();
    }
  });

  it('inserts still waiting for their transaction when close() is called are committed, not lost', async () => {
    const p = await path();
    const m = createSqliteMetadata({ path: p });
    const pending = [m.insertVersion(sampleRecord('late-a', '1.0.0')), m.insertVersion(sampleRecord('late-b', '1.0.0'))];
    m.close!();
    expect(await Promise.all(pending)).toEqual([{ status: 'inserted' }, { status: 'inserted' }]);
    const again = meta({ path: p });
    expect(await again.listPackageNames()).toEqual(['late-a', 'late-b']);
  });

  it('allVersions pages through the store and tolerates deletes while iterating', async () => {
    const p = await path();
    const m = meta({ path: p, pageSize: 7 });
    for (let i = 0; i < 50; i++) await m.insertVersion(sampleRecord(`p${String(i).padStart(2, '0')}`, '1.0.0'));
    const seen: string[] = [];
    for await (const r of m.allVersions()) {
      seen.push(r.name);
      await m.deleteVersion(r.name, r.version);
    }
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
    expect(await m.listPackageNames()).toEqual([]);
  });

  it('refuses bad options with E_PROVIDER_OPTION and use after close with E_CLOSED', async () => {
    await expectCode(() => createSqliteMetadata({} as { path: string }), 'E_PROVIDER_OPTION');
    await expectCode(() => createSqliteMetadata({ path: '/x', busyTimeoutMs: -1 }), 'E_PROVIDER_OPTION');
    await expectCode(() => createSqliteMetadata({ path: '/x', synchronous: 'off' as 'full' }), 'E_PROVIDER_OPTION');
    const m = createSqliteMetadata({ path: await path() });
    await m.close?.();
    await expectCode(() => m.getVersion('a', '1.0.0'), 'E_CLOSED');
  });

  describe('the change feed (changesSince)', () => {
    /** Inserts `count` versions of throwaway packages straight into the table, in one transaction. */
    function rawInsertMany(p: string, count: number, prefix: string): void {
      const raw = new Database(p);
      try {
        const insert = raw.prepare('INSERT INTO versions (name, version, digest, size, published_at, metadata) VALUES (?, ?, ?, ?, ?, ?)');
        raw.transaction(() => {
          for (let i = 0; i < count; i++) {
            const r = sampleRecord(`${prefix}-${i}`, '1.0.0');
            insert.run(r.name, r.version, r.digest, r.size, r.publishedAt, JSON.stringify(r.metadata));
          }
        })();
      } finally {
        raw.close();
      }
    }

    it('a schema-1 store is migrated on open, keeps its data, and its feed starts empty', async () => {
      const p = await path();
      const v1 = new Database(p);
      v1.pragma('journal_mode = WAL');
      expect(migrate(v1, p, MIGRATIONS.slice(0, 1))).toEqual([1]);
      const old = sampleRecord('from-v1', '1.0.0');
      v1.prepare('INSERT INTO versions (name, version, digest, size, published_at, metadata) VALUES (?, ?, ?, ?, ?, ?)')
        .run(old.name, old.version, old.digest, old.size, old.publishedAt, JSON.stringify(old.metadata));
      v1.close();
      const m = meta({ path: p });
      expect(await m.getVersion('from-v1', '1.0.0')).toEqual(old);
      const start = await m.changesSince!();
      expect(start).toEqual({ cursor: '0', names: [], complete: true });
      await m.insertVersion(sampleRecord('after-upgrade', '1.0.0'));
      expect(await m.changesSince!(start.cursor)).toMatchObject({ names: ['after-upgrade'], complete: true });
      const raw = new Database(p, { readonly: true });
      try {
        expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SCHEMA_VERSION });
        expect((raw.prepare('SELECT version FROM schema_history ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version))
          .toEqual(MIGRATIONS.map((mig) => mig.version));
      } finally {
        raw.close();
      }
    });

    it('logs writes made outside this provider too (the triggers are in the database)', async () => {
      const p = await path();
      const m = meta({ path: p });
      const start = await m.changesSince!();
      rawInsertMany(p, 3, 'outside');
      const raw = new Database(p);
      try {
        raw.prepare("DELETE FROM versions WHERE name = 'outside-0'").run();
        raw.prepare("UPDATE versions SET name = 'renamed' WHERE name = 'outside-1'").run();
      } finally {
        raw.close();
      }
      const seen = await m.changesSince!(start.cursor);
      expect(seen.complete).toBe(true);
      expect([...seen.names].sort()).toEqual(['outside-0', 'outside-1', 'outside-2', 'renamed']);
    });

    it(`keeps at least the last ${CHANGES_KEPT} changes and at most ${CHANGES_PRUNED_EVERY - 1} more; a cursor older than those gets an incomplete answer, and a fresh cursor carries on`, async () => {
      const p = await path();
      const m = meta({ path: p });
      await m.insertVersion(sampleRecord('early', '1.0.0'));
      const { cursor: justInTime } = await m.changesSince!();
      expect(justInTime).toBe('1');
      const rows = (): unknown => {
        const raw = new Database(p, { readonly: true });
        try {
          return (raw.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n;
        } finally {
          raw.close();
        }
      };
      // Changes 2 .. KEPT + EVERY - 1: the last prune (at change KEPT) removed nothing yet.
      rawInsertMany(p, CHANGES_KEPT + CHANGES_PRUNED_EVERY - 2, 'bulk');
      expect(rows()).toBe(CHANGES_KEPT + CHANGES_PRUNED_EVERY - 1);
      const full = await m.changesSince!(justInTime);
      expect(full.complete).toBe(true);
      expect(full.names).toHaveLength(CHANGES_KEPT + CHANGES_PRUNED_EVERY - 2);
      // Change KEPT + EVERY prunes down to the last KEPT: change 2 is gone.
      rawInsertMany(p, 1, 'more');
      expect(rows()).toBe(CHANGES_KEPT);
      const lost = await m.changesSince!(justInTime);
      expect(lost).toMatchObject({ names: [], complete: false });
      expect(await m.changesSince!(lost.cursor)).toMatchObject({ names: [], complete: true });
      await m.deleteVersion('early', '1.0.0');
      expect(await m.changesSince!(lost.cursor)).toMatchObject({ names: ['early'], complete: true });
    });

    it('a cursor beyond the last change (a store replaced under it) gets an incomplete answer', async () => {
      const m = meta({ path: await path() });
      await m.insertVersion(sampleRecord('one', '1.0.0'));
      const { cursor } = await m.changesSince!();
      expect(await m.changesSince!(String(Number(cursor) + 5))).toEqual({ cursor, names: [], complete: false });
    });
  });

  describe('several processes on one database', () => {
    let child: ChildBundle;
    beforeAll(async () => {
      child = await bundleChild('test/providers/metadata/sqlite.child.ts');
    });
    afterAll(async () => {
      await child?.dispose();
    });

    it('lose no version, duplicate none, and report no lock error', async () => {
      const p = await path();
      // The store starts empty: the children also race on creating the schema.
      const processes = 4;
      const rounds = 40;
      const results = await Promise.all(Array.from({ length: processes }, (_, i) => runChild(child.file, ['race', p, String(i), String(rounds)])));
      const reports = results.map((r) => {
        const line = r.stdout.trim().split('\n').pop() ?? '';
        expect(line, r.stderr).not.toBe('');
        return JSON.parse(line) as { ok: boolean; outcomes: Record<string, string>; error?: unknown };
      });
      for (const report of reports) expect(report.error).toBeUndefined();

      const m = meta({ path: p });
      for (let r = 0; r < rounds; r++) {
        const v = `1.0.${r}`;
        const shared = reports.map((x) => x.outcomes[`shared@${v}`]);
        expect(shared.filter((s) => s === 'inserted'), `shared@${v}`).toHaveLength(1);
        expect(shared.filter((s) => s === 'unchanged')).toHaveLength(processes - 1);
        const contested = reports.map((x) => x.outcomes[`contested@${v}`]);
        expect(contested.filter((s) => s === 'inserted'), `contested@${v}`).toHaveLength(1);
        expect(contested.filter((s) => s === 'conflict')).toHaveLength(processes - 1);
        // The row holds the winner's digest and metadata.
        const winner = contested.indexOf('inserted');
        expect((await m.getVersion('contested', v))!.metadata['writer']).toBe(winner);
      }
      for (let i = 0; i < processes; i++) {
        expect(reports[i]!.outcomes[`own-${i}@1.0.0`]).toBe('inserted');
        expect(await m.listVersions(`own-${i}`)).toHaveLength(rounds);
      }
      let rows = 0;
      for await (const _ of m.allVersions()) rows++;
      expect(rows).toBe(rounds * (2 + processes));
      expect((await m.getDownloads(['shared'])).get('shared')).toBe(processes * rounds);
    });

    it('an insert in another process waits while removeIfUnreferenced removes a blob of that digest', async () => {
      const p = await path();
      const markers = mkdtempSync(join(tmpdir(), 'pakt-hold-'));
      try {
        const holder = runChild(child.file, ['hold-removal', p, markers]);
        // Bounded wait for the child to be inside its removal (it holds the write lock then).
        for (let i = 0; i < 200 && !existsSync(join(markers, 'removing')); i++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(existsSync(join(markers, 'removing'))).toBe(true);
        const m = meta({ path: p });
        const record = { name: 'held', version: '1.0.0', digest: digestOfBytes('held'), size: 4, publishedAt: new Date().toISOString(), metadata: { name: 'held', version: '1.0.0' } };
        expect(await m.insertVersion(record)).toEqual({ status: 'inserted' });
        // The insert could commit only once the removal had finished and released the lock.
        expect(existsSync(join(markers, 'removed'))).toBe(true);
        const result = await holder;
        expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}')).toEqual({ ok: true, removed: true });
      } finally {
        rmSync(markers, { recursive: true, force: true });
      }
    });

    it('writers killed at random moments leave a sound database holding every reported write', async () => {
      const p = await path();
      const reported: Array<{ name: string; inserted: string; deleted: boolean }> = [];
      for (let round = 0; round < 5; round++) {
        const out = await killAtRandomAfterFirstLine(child.file, ['insert-forever', p, String(round)], 150);
        for (const line of out.split('\n')) {
          if (line.endsWith('}')) reported.push({ name: `crash-${round}`, ...(JSON.parse(line) as { inserted: string; deleted: boolean }) });
        }
      }
      expect(reported.length).toBeGreaterThanOrEqual(5);
      const raw = new Database(p, { readonly: true });
      try {
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        raw.close();
      }
      const m = meta({ path: p });
      for (const r of reported) {
        const row = await m.getVersion(r.name, r.inserted);
        if (r.deleted) expect(row, `${r.name}@${r.inserted}`).toBeUndefined();
        else expect(row?.digest, `${r.name}@${r.inserted}`).toBe(digestOfBytes(`${r.name}-${r.inserted.slice(4)}`));
      }
    });

    it('a database the user may not write gives E_IO, not a raw SQLite error', async (ctx) => {
      // Root ignores permission bits, so as root the child runs as nobody, and nobody must be able
      // to load better-sqlite3 from this checkout. A clone inside a private folder (mktemp -d is
      // 0700) rules that out: then the case cannot be run here, which is not a failure.
      if (process.getuid?.() === 0 && !nobodyCanRead(createRequire(import.meta.url).resolve('better-sqlite3'))) {
        ctx.skip('[unsupported: uid 65534 cannot read node_modules of this checkout]');
      }
      const p = await path();
      (await meta({ path: p })).close?.();
      await chmod(join(p, '..'), 0o555);
      await chmod(p, 0o444);
      try {
        const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
        const result = await runChild(child.file, ['insert-one', p], asOther);
        const report = JSON.parse(result.stdout.trim().split('\n').pop() || '{}') as { ok?: boolean; error?: { code?: string; sqliteCode?: string } };
        expect(report.ok, result.stderr).toBe(false);
        expect(report.error?.code).toBe('E_IO');
        expect(report.error?.sqliteCode).toMatch(/^SQLITE_(READONLY|CANTOPEN)/);
      } finally {
        await chmod(join(p, '..'), 0o755);
      }
    });
  });
});

/** True when uid 65534 can read `file` (checked by a probe process running as that user). */
function nobodyCanRead(file: string): boolean {
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(file)}, 4)`], { uid: 65534, gid: 65534 });
  return probe.status === 0;
}
