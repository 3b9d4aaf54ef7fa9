import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProviders, type DefaultProviders } from '../../providers/index.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import type { PublishResult } from '../../src/core/types.js';
import { PARALLEL_HASH_BYTES } from '../../src/core/intake.js';
import { expectCode } from '../helpers/expect-code.js';
import { FaultPlan, type FaultMode } from './faulty.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

/** Everything a publish could leave behind: blobs, rows, search entries, temp files. */
async function snapshot(p: DefaultProviders, store: string): Promise<unknown> {
  const blobs: string[] = [];
  for await (const b of p.storage.list()) blobs.push(b.digest);
  const rows: string[] = [];
  for await (const r of p.metadata.allVersions()) rows.push(`${r.name}@${r.version} ${r.digest}`);
  const hits = await p.search.search('pad', { limit: 50 });
  const tmp = existsSync(path.join(store, 'tmp')) ? readdirSync(path.join(store, 'tmp')) : [];
  return {
    blobs: blobs.sort(),
    rows: rows.sort(),
    search: { size: await p.search.size(), items: hits.items.map((i) => `${i.name}@${i.version}`).sort() },
    tmp,
  };
}

function auditLines(store: string): Array<Record<string, unknown>> {
  const file = path.join(store, 'audit.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('publish', () => {
  it('publishes from a path, a Buffer and a Readable, and emits `published`', async () => {
    const registry = await t.open();
    const events: PublishResult[] = [];
    registry.on('published', (r) => events.push(r));
    const stepNames: string[][] = [];
    registry.on('publishSteps', (e) => stepNames.push(e.steps.map((st) => st.step)));
    const a = await t.pkg('left-pad', '1.0.0');
    const b = await t.pkg('left-pad', '1.1.0');
    const c = await t.pkg('right-pad', '2.0.0');
    const ra = await registry.publishPackage(a.file);
    const rb = await registry.publishPackage(readFileSync(b.file));
    const rc = await registry.publishPackage(Readable.from([readFileSync(c.file)]));
    expect([ra, rb, rc].map((r) => [r.name, r.version, r.digest, r.size, r.status])).toEqual([
      ['left-pad', '1.0.0', a.digest, a.size, 'published'],
      ['left-pad', '1.1.0', b.digest, b.size, 'published'],
      ['right-pad', '2.0.0', c.digest, c.size, 'published'],
    ]);
    expect(events.map((e) => `${e.name}@${e.version}`)).toEqual(['left-pad@1.0.0', 'left-pad@1.1.0', 'right-pad@2.0.0']);
    expect(stepNames).toHaveLength(3);
    expect(stepNames[0]).toEqual(['intake', 'validate', 'checkVersions', 'checkExisting', 'store', 'index', 'updateSearch', 'audit']);
    expect((await registry.getPackageInfo('left-pad')).version).toBe('1.1.0');
    expect((await registry.getPackageInfo('left-pad', '~1.0.0')).version).toBe('1.0.0');
    expect((await registry.getPackageInfo('left-pad', '>=1.0.0,<1.1.0')).version).toBe('1.0.0');
    expect((await registry.searchPackages('left-pad')).items[0]).toMatchObject({ name: 'left-pad', version: '1.1.0', exact: true });
    await registry.close();
  });

  it('a large archive (copied by the kernel, hashed on the other core while validated) gets the right digest; a large junk file leaves nothing', async () => {
    const registry = await t.open();
    const big = await t.pkg('big-one', '1.0.0', { files: { 'data.bin': randomBytes(PARALLEL_HASH_BYTES + 4096).toString('latin1') } });
    expect(big.size).toBeGreaterThanOrEqual(PARALLEL_HASH_BYTES);
    const r = await registry.publishPackage(big.file);
    expect([r.digest, r.size, r.status]).toEqual([big.digest, big.size, 'published']);
    expect((await registry.validatePackage(big.file)).digest).toBe(big.digest);
    expect((await registry.verify()).ok).toBe(true);
    const junk = path.join(t.dir, 'junk-big.zip');
    writeFileSync(junk, randomBytes(PARALLEL_HASH_BYTES + 1));
    await expectCode(() => registry.publishPackage(junk), 'E_PKG_NOT_ZIP');
    expect(readdirSync(path.join(t.store, 'tmp'))).toEqual([]);
    expect((await registry.gc({ dryRun: true })).removed).toBe(0);
    await registry.close();
  });

  it('republishing identical bytes succeeds and changes nothing', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0');
    const first = await registry.publishPackage(a.file);
    const p = defaultProviders({ path: t.store, fsync: false, audit: false });
    const before = await snapshot(p, t.store);
    let emitted = 0;
    registry.on('published', () => emitted++);
    const again = await registry.publishPackage(a.file);
    expect(again).toEqual({ ...first, status: 'unchanged' });
    expect(await snapshot(p, t.store)).toEqual(before);
    expect(emitted).toBe(0);
    await registry.close();
    await p.metadata.close?.();
  });

  it('different bytes under a published name@version fail with E_VERSION_EXISTS and leave nothing', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0');
    const b = await t.pkg('left-pad', '1.0.0', { description: 'other bytes' });
    await registry.publishPackage(a.file);
    const p = defaultProviders({ path: t.store, fsync: false, audit: false });
    const before = await snapshot(p, t.store);
    const err = await expectCode(() => registry.publishPackage(b.file), 'E_VERSION_EXISTS');
    expect(err.message).toContain(a.digest);
    expect(err.message).toContain(b.digest);
    expect(await snapshot(p, t.store)).toEqual(before);
    expect(auditLines(t.store).at(-1)).toMatchObject({ action: 'publish', outcome: 'failure', code: 'E_VERSION_EXISTS', name: 'left-pad', version: '1.0.0', digest: b.digest, actor: 'tester' });
    await registry.close();
    await p.metadata.close?.();
  });

  it('an invalid archive is refused with its validation code and leaves nothing but an audit line', async () => {
    const registry = await t.open();
    const p = defaultProviders({ path: t.store, fsync: false, audit: false });
    const before = await snapshot(p, t.store);
    const junk = path.join(t.dir, 'junk.zip');
    writeFileSync(junk, 'this is not a zip archive');
    const err = await registry.publishPackage(junk).then(() => undefined, (e: unknown) => e as { code: string; details: { errors?: unknown[] } });
    expect(err?.code).toBe('E_PKG_NOT_ZIP');
    expect(err?.details.errors).toHaveLength(1);
    const badVersion = await t.pkg('left-pad', '1.0');
    await expectCode(() => registry.publishPackage(badVersion.file), 'E_PKG_VERSION_INVALID');
    expect(await snapshot(p, t.store)).toEqual(before);
    const audit = auditLines(t.store);
    expect(audit.map((l) => [l['action'], l['outcome']])).toEqual([['publish', 'failure'], ['publish', 'failure']]);
    await registry.close();
    await p.metadata.close?.();
  });

  it('validatePackage reports on an archive and stores nothing', async () => {
    const registry = await t.open();
    const p = defaultProviders({ path: t.store, fsync: false, audit: false });
    const before = await snapshot(p, t.store);
    const good = await t.pkg('left-pad', '1.0.0');
    expect(await registry.validatePackage(good.file)).toEqual({ valid: true, name: 'left-pad', version: '1.0.0', digest: good.digest, size: good.size, errors: [] });
    const junk = path.join(t.dir, 'junk.zip');
    writeFileSync(junk, 'PK but not really');
    const bad = await registry.validatePackage(readFileSync(junk));
    expect(bad.valid).toBe(false);
    expect(bad.errors.map((e) => e.code)).toEqual(['E_PKG_NOT_ZIP']);
    expect(await snapshot(p, t.store)).toEqual(before);
    await registry.close();
    await p.metadata.close?.();
  });

  it('a gc in another process removing the archive between store and index fails the publish cleanly', async () => {
    const real = defaultProviders({ path: t.store, fsync: false });
    // The blob vanishes right after put(), as if a gc had found it unreferenced at that moment.
    const racing = new Proxy(real.storage, {
      get(target, prop, receiver) {
        if (prop === 'put') {
          return async (digest: `sha256:${string}`, size: number, file: string) => {
            await target.put(digest, size, file);
            await target.delete(digest);
          };
        }
        if (prop === 'putBytes') {
          return async (digest: `sha256:${string}`, bytes: Uint8Array) => {
            await target.putBytes!(digest, bytes);
            await target.delete(digest);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const registry = new CoreRegistryManager({ ...real, storage: racing, actor: 'tester' });
    const a = await t.pkg('left-pad', '1.0.0');
    const err = await expectCode(() => registry.publishPackage(a.file), 'E_STORE_BLOB_MISSING');
    expect(err.message).toContain('concurrent gc');
    expect(await real.metadata.getVersion('left-pad', '1.0.0')).toBeUndefined();
    // Published again without the race, it lands.
    await registry.close();
    const again = await t.open();
    expect((await again.publishPackage(a.file)).status).toBe('published');
    await again.close();
  });

  it('refuses inputs that are missing, too large or of the wrong type', async () => {
    const registry = await t.open({ limits: { maxArchiveBytes: 300 } });
    await expectCode(() => registry.publishPackage(path.join(t.dir, 'nope.zip')), 'E_INPUT_NOT_FOUND');
    await expectCode(() => registry.publishPackage(t.dir), 'E_INPUT_NOT_FOUND');
    const big = await t.pkg('left-pad', '1.0.0', { files: { 'a.txt': 'x'.repeat(5000) } });
    await expectCode(() => registry.publishPackage(big.file), 'E_STORE_INPUT_TOO_LARGE');
    await expectCode(() => registry.publishPackage(Readable.from([readFileSync(big.file)])), 'E_STORE_INPUT_TOO_LARGE');
    await expectCode(() => registry.publishPackage(42 as unknown as string), 'E_INVALID_ARGUMENT');
    // A stream that breaks half-way: the source's error, coded, and no temp file left.
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(100, 1));
        this.destroy(new Error('connection reset'));
      },
    });
    const err = await expectCode(() => registry.publishPackage(broken), 'E_IO');
    expect(err.message).toContain('connection reset');
    expect(readdirSync(path.join(t.store, 'tmp'))).toEqual([]);
    await registry.close();
  });

  // A small archive from a path is held in memory (validateBytes, putBytes, stored while it is
  // validated); one from a stream goes through a temp file (validateFile, then put).
  for (const [mode, via] of [['before', 'path'], ['after', 'path'], ['before', 'stream'], ['after', 'stream']] as Array<[FaultMode, 'path' | 'stream']>) {
    it(`a provider failing at its N-th call (${mode} doing its work) leaves the store as it was, for every N (archive from a ${via})`, async () => {
      // The store already holds left-pad@1.0.0 and right-pad@1.0.0; we publish left-pad@1.1.0.
      const seed = await t.open();
      await seed.publishPackage((await t.pkg('left-pad', '1.0.0')).file);
      await seed.publishPackage((await t.pkg('right-pad', '1.0.0')).file);
      await seed.close();
      const next = await t.pkg('left-pad', '1.1.0');
      const real = defaultProviders({ path: t.store, fsync: false });
      // The default search index lives in memory: build it from the metadata, as open() does.
      await new CoreRegistryManager({ ...real, actor: 'tester' }).open();
      const before = await snapshot(real, t.store);
      const triggered = new Set<string>();
      let n = 1;
      for (; n < 200; n++) {
        const plan = new FaultPlan(n, mode);
        const registry = new CoreRegistryManager({
          metadata: plan.wrap(real.metadata, 'metadata'),
          storage: plan.wrap(real.storage, 'storage'),
          versioning: real.versioning,
          validation: plan.wrap(real.validation, 'validation'),
          search: plan.wrap(real.search, 'search'),
          audit: real.audit.map((a) => plan.wrap(a, 'audit')),
          actor: 'tester',
        });
        const auditBefore = auditLines(t.store).length;
        const input = via === 'path' ? next.file : Readable.from([readFileSync(next.file)]);
        const outcome = await registry.publishPackage(input).then(() => 'ok', (e: { code: string }) => e.code);
        if (plan.triggered === undefined) {
          expect(outcome).toBe('ok');
          break;
        }
        triggered.add(plan.triggered);
        expect(outcome, `fault in ${plan.triggered}`).toBe('E_IO');
        expect(await snapshot(real, t.store), `fault in ${plan.triggered}`).toEqual(before);
        const audit = auditLines(t.store).slice(auditBefore);
        expect(audit.at(-1), `fault in ${plan.triggered}`).toMatchObject({ action: 'publish', outcome: 'failure', code: 'E_IO' });
      }
      expect(n).toBeLessThan(200);
      // Every provider family the pipeline touches was made to fail at least once.
      expect([...triggered].map((s) => s.split('.')[0])).toEqual(expect.arrayContaining(['validation', 'metadata', 'storage', 'search', 'audit']));
      expect(triggered).toContain(via === 'path' ? 'storage.putBytes' : 'storage.put');
      expect(triggered).toContain(via === 'path' ? 'validation.validateBytes' : 'validation.validateFile');
      expect(triggered).toContain('metadata.insertVersion');
      expect(triggered).toContain('search.upsert');
      const after = await t.open();
      expect((await after.getPackageInfo('left-pad')).version).toBe('1.1.0');
      await after.close();
      for (const p of [real.metadata, real.storage, ...real.audit]) await p.close?.();
    });
  }
});
