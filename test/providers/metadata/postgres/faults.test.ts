/**
 * The registry on PostgreSQL metadata under faults, through a real CoreRegistryManager (fs-cas
 * storage, the zip validator, semver, indexed search) and a durable server of this file's own:
 *
 * - PostgreSQL restarted, stopped for longer than connectTimeoutMs, and crashed (stop -m
 *   immediate) during a publish loop:
 *   each publish either succeeds or fails with a retryable code; no acknowledged version is lost;
 *   a retry of each failed one succeeds; `verify` is clean.
 * - Two managers with two pools (two servers' worth) on one schema and one archive store, eight
 *   clients publishing the same and different versions through both: nothing lost or duplicated,
 *   and each manager's search follows the other's publishes and deletes (changesSince).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresMetadata, type PostgresMetadataProvider } from '../../../../providers/metadata/postgres/index.js';
import { createIndexedSearch } from '../../../../providers/search/indexed.js';
import { createFsStorage } from '../../../../providers/storage/fs-cas.js';
import { createZipValidator } from '../../../../providers/validation/zip.js';
import { createSemverVersioning } from '../../../../providers/versioning/semver.js';
import { CoreRegistryManager } from '../../../../src/core/registry-manager.js';
import { RegistryError } from '../../../../src/errors.js';
import { buildPackage, type PackResult } from '../../../../src/package/pack.js';
import { freshSchemaName, postgresUnavailable, startPostgres, type PostgresServer } from '../../../helpers/postgres-server.js';

const RETRYABLE = new Set(['E_META_UNAVAILABLE', 'E_META_TIMEOUT', 'E_META_BUSY']);
const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`registry on PostgreSQL metadata under faults${unavailable ? ` (${unavailable})` : ''}`, () => {
  let server: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres({ durable: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-pg-faults-'));
  });
  afterAll(() => {
    server?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function manager(schema: string, store: string, connectTimeoutMs = 10_000): Promise<{ registry: CoreRegistryManager; metadata: PostgresMetadataProvider }> {
    const metadata = await createPostgresMetadata({ url: server.url(), schema, connectTimeoutMs, poolSize: 4 });
    const registry = new CoreRegistryManager({
      metadata,
      storage: createFsStorage({ root: store, fsync: false }),
      versioning: createSemverVersioning(),
      validation: createZipValidator(),
      search: createIndexedSearch(),
      actor: 'fault-test',
    });
    return { registry, metadata };
  }

  async function packages(prefix: string, count: number, version = '1.0.0', salt = ''): Promise<PackResult[]> {
    const out: PackResult[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${prefix}-${i}`;
      out.push(await buildPackage(
        { metadata: { name, version, description: `fault test package ${name}` }, files: { 'index.js': `export const v = '${version}${salt}';\n` } },
        path.join(dir, `${name}-${version}${salt ? `-${salt}` : ''}.zip`),
      ));
    }
    return out;
  }

  it('a publish loop across a restart, an outage and a crash of the server: every publish succeeds or fails retryably, none acknowledged is lost, verify is clean', async () => {
    const schema = freshSchemaName('faults');
    const store = path.join(dir, 'store-restart');
    const { registry } = await manager(schema, store, 1_500);
    const pkgs = await packages('loop', 90);
    const acknowledged: PackResult[] = [];
    const failed: Array<{ pkg: PackResult; err: unknown }> = [];
    let done = 0;
    const publishing = (async () => {
      // Three publishers at a time, as a server would have.
      let next = 0;
      await Promise.all(Array.from({ length: 3 }, async () => {
        while (next < pkgs.length) {
          const pkg = pkgs[next++]!;
          try {
            await registry.publishPackage(pkg.file);
            acknowledged.push(pkg);
          } catch (err) {
            failed.push({ pkg, err });
          }
          done += 1;
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      }));
    })();
    const until = async (n: number) => {
      while (done < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await until(15);
    await server.restart('fast');
    await until(40);
    // Down for longer than connectTimeoutMs: publishes in that window must fail, retryably.
    await server.stop('fast');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await server.start();
    await until(70);
    // A crash of the server (no shutdown checkpoint): what it acknowledged must come back from its WAL.
    await server.restart('immediate');
    await publishing;

    expect(acknowledged.length + failed.length).toBe(pkgs.length);
    expect(failed.length).toBeGreaterThan(0);
    for (const { pkg, err } of failed) {
      expect(err, `${pkg.name}: ${String(err)}`).toBeInstanceOf(RegistryError);
      expect(RETRYABLE.has((err as RegistryError).code), `${pkg.name}: ${(err as RegistryError).code} ${(err as Error).message}`).toBe(true);
      expect((err as RegistryError).details.retryable, pkg.name).toBe(true);
    }
    await registry.close();

    // A fresh manager, as after a restart of the server process itself.
    const { registry: after } = await manager(schema, store);
    for (const pkg of acknowledged) expect((await after.getPackageInfo(pkg.name, pkg.version)).digest, pkg.name).toBe(pkg.digest);
    for (const { pkg } of failed) expect(['published', 'unchanged']).toContain((await after.publishPackage(pkg.file)).status);
    const verified = await after.verify();
    expect(verified.ok).toBe(true);
    expect(verified.missing).toEqual([]);
    expect(verified.corrupt).toEqual([]);
    expect((await after.listVersions('loop-0')).versions.length).toBe(1);
    expect((await after.searchPackages('loop', { limit: 100 })).total).toBe(pkgs.length);
    await after.close();
  });

  it('two managers on two pools: same and different versions from 8 clients, nothing lost or duplicated, search follows the other', async () => {
    const schema = freshSchemaName('two');
    const store = path.join(dir, 'store-two');
    const a = await manager(schema, store);
    const b = await manager(schema, store);
    // Both indexes built before the other writes, so what follows must come through the feed.
    expect((await a.registry.searchPackages('shared')).total).toBe(0);
    expect((await b.registry.searchPackages('shared')).total).toBe(0);

    const distinct = await packages('own', 24);
    const identical = await packages('shared-same', 4);
    // Four different archives of each shared-diff-i@1.0.0: exactly one may win.
    const rivals = await Promise.all([0, 1, 2, 3].map((k) => packages('shared-diff', 4, '1.0.0', `r${k}`)));
    type Job = { pkg: PackResult; kind: 'distinct' | 'identical' | 'rival' };
    const jobs: Job[] = [
      ...distinct.map((pkg) => ({ pkg, kind: 'distinct' as const })),
      ...identical.flatMap((pkg) => [0, 1, 2, 3].map(() => ({ pkg, kind: 'identical' as const }))),
      ...rivals.flat().map((pkg) => ({ pkg, kind: 'rival' as const })),
    ].sort((x, y) => (x.pkg.name < y.pkg.name ? -1 : 1));
    const outcomes: Array<{ job: Job; status?: string; code?: string }> = [];
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, client) => {
      const via = client % 2 === 0 ? a.registry : b.registry;
      while (next < jobs.length) {
        const job = jobs[next++]!;
        try {
          outcomes.push({ job, status: (await via.publishPackage(job.pkg.file)).status });
        } catch (err) {
          outcomes.push({ job, code: err instanceof RegistryError ? err.code : String(err) });
        }
      }
    }));
    expect(outcomes.filter((o) => o.job.kind === 'distinct').every((o) => o.status === 'published')).toBe(true);
    for (const pkg of identical) {
      const mine = outcomes.filter((o) => o.job.pkg === pkg);
      expect(mine.filter((o) => o.status === 'published'), pkg.name).toHaveLength(1);
      expect(mine.filter((o) => o.status === 'unchanged'), pkg.name).toHaveLength(3);
    }
    for (let i = 0; i < 4; i++) {
      const mine = outcomes.filter((o) => o.job.pkg.name === `shared-diff-${i}`);
      expect(mine.filter((o) => o.status === 'published'), `shared-diff-${i}`).toHaveLength(1);
      expect(mine.filter((o) => o.code === 'E_VERSION_EXISTS'), `shared-diff-${i}`).toHaveLength(3);
      const winner = mine.find((o) => o.status === 'published')!.job.pkg;
      expect((await b.registry.getPackageInfo(winner.name, '1.0.0')).digest).toBe(winner.digest);
    }
    // Every name@version exactly once.
    const rows = await server.sql<{ name: string; version: string }>(`SELECT name, version FROM ${schema}.versions`);
    expect(rows.length).toBe(24 + 4 + 4);
    expect(new Set(rows.map((r) => `${r.name}@${r.version}`)).size).toBe(rows.length);

    // Each search knows everything, whichever manager published it.
    for (const m of [a, b]) {
      expect((await m.registry.searchPackages('own', { limit: 50 })).total).toBe(24);
      expect((await m.registry.searchPackages('shared', { limit: 50 })).total).toBe(8);
    }
    // A publish and a delete through one are seen by the other's search.
    const late = (await packages('late-arrival', 1))[0]!;
    await b.registry.publishPackage(late.file);
    expect((await a.registry.searchPackages('late-arrival')).items.map((h) => h.name)).toContain('late-arrival-0');
    await a.registry.deletePackage('own-3', '1.0.0');
    expect((await b.registry.searchPackages('own', { limit: 50 })).items.map((h) => h.name)).not.toContain('own-3');
    expect((await b.registry.searchPackages('own', { limit: 50 })).total).toBe(23);

    for (const m of [a, b]) expect((await m.registry.verify()).ok).toBe(true);
    await a.registry.close();
    await b.registry.close();
  });

  it('delete and gc on one manager while the other publishes the same bytes: no version is left without its archive', async () => {
    const schema = freshSchemaName('gc');
    const store = path.join(dir, 'store-gc');
    const a = await manager(schema, store);
    const b = await manager(schema, store);
    const pkgs = await packages('contested', 20);
    const statuses: string[] = [];
    for (const [i, pkg] of pkgs.entries()) {
      await a.registry.publishPackage(pkg.file);
      const stagger = new Promise((resolve) => setTimeout(resolve, i % 5));
      // The delete removes the archive once nothing refers to it; the publish of the same bytes
      // through the other manager races it, and gc runs besides.
      const [, published] = await Promise.all([
        a.registry.deletePackage(pkg.name, pkg.version),
        stagger.then(() => b.registry.publishPackage(pkg.file)).then((r) => r.status, (err: unknown) => (err instanceof RegistryError ? err.code : String(err))),
        a.registry.gc(),
      ]);
      statuses.push(published);
    }
    expect(statuses.every((st) => st === 'published' || st === 'unchanged' || st === 'E_STORE_BLOB_MISSING'), statuses.join(',')).toBe(true);
    const verified = await b.registry.verify();
    expect(verified.missing).toEqual([]);
    expect(verified.ok).toBe(true);
    for (const pkg of pkgs) {
      const present = (await b.metadata.getVersion(pkg.name, pkg.version)) !== undefined;
      if (present) {
        const chunks: Buffer[] = [];
        for await (const c of await b.registry.downloadPackage(pkg.name, pkg.version)) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).length, pkg.name).toBe(pkg.size);
      }
    }
    await a.registry.close();
    await b.registry.close();
  });
});
