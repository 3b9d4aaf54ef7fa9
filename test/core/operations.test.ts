import { existsSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../providers/storage/fs-cas-layout.js';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { createMemoryStorage } from '../../providers/storage/memory.js';
import { createFuseSearch } from '../../providers/search/fuse.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { createZipValidator } from '../../providers/validation/zip.js';
import { verifyAuditLog } from '../../providers/audit/pino.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import type { DeletedVersion } from '../../src/core/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('lookups', () => {
  it('info, versions (highest first, latest) and the not-found codes', async () => {
    const registry = await t.open();
    for (const v of ['1.0.0', '2.0.0-beta.1', '1.10.0', '1.2.0']) await registry.publishPackage((await t.pkg('lib', v)).file);
    const list = await registry.listVersions('lib');
    expect(list.latest).toBe('1.10.0');
    expect(list.versions.map((r) => r.version)).toEqual(['2.0.0-beta.1', '1.10.0', '1.2.0', '1.0.0']);
    expect((await registry.getPackageInfo('lib', '2.0.0-beta.1')).version).toBe('2.0.0-beta.1');
    expect((await registry.getPackageInfo('lib', '^1.2.0')).version).toBe('1.10.0');
    await expectCode(() => registry.getPackageInfo('nothing-here'), 'E_PACKAGE_NOT_FOUND');
    await expectCode(() => registry.listVersions('nothing-here'), 'E_PACKAGE_NOT_FOUND');
    const err = await expectCode(() => registry.getPackageInfo('lib', '^3.0.0'), 'E_VERSION_NOT_FOUND');
    expect(err.message).toContain('1.10.0');
    await expectCode(() => registry.getPackageInfo('lib', '9.9.9'), 'E_VERSION_NOT_FOUND');
    await expectCode(() => registry.getPackageInfo('lib', 'not a range!'), 'E_PKG_RANGE_INVALID');
    await expectCode(() => registry.getPackageInfo('Not_Valid'), 'E_PKG_NAME_INVALID');
    await registry.close();
  });

  it('a package published only as prereleases still has a latest', async () => {
    const registry = await t.open();
    await registry.publishPackage((await t.pkg('early', '0.1.0-alpha.1')).file);
    await registry.publishPackage((await t.pkg('early', '0.1.0-alpha.2')).file);
    expect((await registry.listVersions('early')).latest).toBe('0.1.0-alpha.2');
    expect((await registry.getPackageInfo('early')).version).toBe('0.1.0-alpha.2');
    await registry.close();
  });
});

describe('resolution through the manager', () => {
  it('resolveDependency, resolveDependencies and getDependencyTree see the published versions', async () => {
    const registry = await t.open();
    await registry.publishPackage((await t.pkg('yaml-lite', '1.0.0')).file);
    await registry.publishPackage((await t.pkg('yaml-lite', '1.4.0')).file);
    await registry.publishPackage((await t.pkg('yaml-lite', '2.0.0')).file);
    await registry.publishPackage((await t.pkg('csv-tools', '2.0.0', { dependencies: { 'yaml-lite': '>=1.0.0,<2.0.0' } })).file);
    expect((await registry.resolveDependency('csv-tools', '^2.0.0')).solution).toEqual({ 'csv-tools': '2.0.0', 'yaml-lite': '1.4.0' });
    expect((await registry.resolveDependencies({ 'csv-tools': '*', 'yaml-lite': '1.0.0' })).solution).toEqual({ 'csv-tools': '2.0.0', 'yaml-lite': '1.0.0' });
    const tree = await registry.getDependencyTree('csv-tools');
    expect(tree).toMatchObject({ name: 'csv-tools', version: '2.0.0', dependencies: [{ name: 'yaml-lite', version: '1.4.0' }] });
    await expectCode(() => registry.resolveDependency('csv-tools', '^3.0.0'), 'E_UNSATISFIABLE');
    await registry.close();
  });
});

describe('download', () => {
  it('streams verified bytes, counts the download, and keeps search popularity in step', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0');
    await registry.publishPackage(a.file);
    const seen: string[] = [];
    registry.on('downloaded', (d) => seen.push(`${d.name}@${d.version}`));
    const bytes = await streamToBuffer(await registry.downloadPackage('left-pad', '^1.0.0'));
    expect(bytes.equals(readFileSync(a.file))).toBe(true);
    const out = path.join(t.dir, 'out', 'x.zip');
    rmSync(path.dirname(out), { recursive: true, force: true });
    await expectCode(() => registry.downloadToFile('left-pad', 'latest', out), 'E_IO'); // folder missing
    const file = path.join(t.dir, 'x.zip');
    const r = await registry.downloadToFile('left-pad', 'latest', file);
    expect(r).toEqual({ name: 'left-pad', version: '1.0.0', digest: a.digest, size: a.size, file });
    expect(readFileSync(file).equals(readFileSync(a.file))).toBe(true);
    expect(seen).toEqual(['left-pad@1.0.0', 'left-pad@1.0.0']);
    await registry.close();
    const p = await t.open();
    const { metadata } = p.resolveContext;
    expect((await metadata.getDownloads(['left-pad'])).get('left-pad')).toBe(2);
    await p.close();
  });

  it('keeps search popularity in step with the download count, and audits each download', async () => {
    const search = createFuseSearch();
    const counts: Array<[string, number]> = [];
    const spy = { ...search, info: search.info, capabilities: search.capabilities, setDownloads: async (m: ReadonlyMap<string, number>) => {
      counts.push(...m);
      await search.setDownloads(m);
    } };
    const registry = new CoreRegistryManager({ metadata: createMemoryMetadata(), storage: createMemoryStorage(), versioning: createSemverVersioning(), validation: createZipValidator(), search: spy, actor: 'ana' });
    const a = await t.pkg('left-pad', '1.0.0');
    await registry.publishPackage(a.file);
    for (let i = 0; i < 3; i++) await streamToBuffer(await registry.downloadPackage('left-pad'));
    expect(counts).toEqual([['left-pad', 1], ['left-pad', 2], ['left-pad', 3]]);
    await registry.close();
  });

  it('a blob corrupted on disk gives E_STORE_INTEGRITY, no output file, and verify reports it', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0');
    const b = await t.pkg('right-pad', '1.0.0');
    await registry.publishPackage(a.file);
    await registry.publishPackage(b.file);
    const blob = blobPath(t.store, a.digest);
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff; // same size, different bytes
    writeFileSync(blob, bytes);
    const file = path.join(t.dir, 'left-pad.zip');
    await expectCode(() => registry.downloadToFile('left-pad', '1.0.0', file), 'E_STORE_INTEGRITY');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(t.dir).filter((f) => f.includes('partial'))).toEqual([]);
    // The store quarantined it: the next read finds it missing; verify reports it and fails.
    const result = await registry.verify();
    expect(result.ok).toBe(false);
    expect([...result.corrupt, ...result.missing].map((r) => `${r.name}@${r.version}`)).toEqual(['left-pad@1.0.0']);
    expect(result.checked).toBe(2);
    expect(result.steps.map((s) => s.step)).toEqual(['sweepTmp', 'collectReferences', 'verifyBlobs', 'findOrphans', 'checkAudit']);
    // Republishing the good bytes heals the store.
    expect((await registry.publishPackage(a.file)).status).toBe('unchanged');
    expect((await registry.verify()).ok).toBe(true);
    await registry.close();
  });

  it('verify finds a corrupt archive itself (not read before) and quarantines it', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0');
    await registry.publishPackage(a.file);
    writeFileSync(blobPath(t.store, a.digest), 'truncated');
    const result = await registry.verify();
    expect(result).toMatchObject({ ok: false, checked: 1, missing: [] });
    expect(result.corrupt).toEqual([{ name: 'left-pad', version: '1.0.0', digest: a.digest }]);
    expect(existsSync(blobPath(t.store, a.digest))).toBe(false);
    expect(readdirSync(path.join(t.store, 'quarantine')).length).toBeGreaterThan(0);
    const again = await registry.verify();
    expect(again.missing.map((r) => r.name)).toEqual(['left-pad']);
    await expectCode(async () => streamToBuffer(await registry.downloadPackage('left-pad')), 'E_STORE_BLOB_MISSING');
    await registry.close();
  });
});

describe('verify and the audit log', () => {
  it('reports an audit log whose hash chain was broken (E_AUDIT_TAMPERED), and an intact one', async () => {
    const registry = await t.open();
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await registry.publishPackage((await t.pkg('left-pad', v)).file);
    const good = await registry.verify();
    expect(good.ok).toBe(true);
    expect(good.audit).toEqual([{ sink: 'pino', ok: true, records: 3, problems: [] }]);
    const file = path.join(t.store, 'audit.log');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('1.1.0', '1.1.1');
    writeFileSync(file, lines.join('\n'));
    const bad = await registry.verify();
    expect(bad.ok).toBe(false);
    expect(bad.corrupt).toEqual([]);
    expect(bad.audit[0]).toMatchObject({ sink: 'pino', ok: false, problems: [{ record: 3 }] });
    await registry.close();
    const last = JSON.parse(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ action: 'verify', outcome: 'failure', code: 'E_AUDIT_TAMPERED' });
  });
});

describe('delete and gc', () => {
  it('deletes one version or all, updates search, removes blobs, emits `deleted`', async () => {
    const registry = await t.open();
    const v1 = await t.pkg('left-pad', '1.0.0');
    const v2 = await t.pkg('left-pad', '1.1.0');
    await registry.publishPackage(v1.file);
    await registry.publishPackage(v2.file);
    const events: DeletedVersion[] = [];
    registry.on('deleted', (d) => events.push(d));
    expect((await registry.searchPackages('left-pad')).items[0]?.version).toBe('1.1.0');
    const one = await registry.deletePackage('left-pad', '1.1.0');
    expect(one).toEqual([{ name: 'left-pad', version: '1.1.0', digest: v2.digest, blobRemoved: true }]);
    expect(existsSync(blobPath(t.store, v2.digest))).toBe(false);
    expect((await registry.searchPackages('left-pad')).items[0]?.version).toBe('1.0.0');
    await expectCode(() => registry.deletePackage('left-pad', '1.1.0'), 'E_VERSION_NOT_FOUND');
    await expectCode(() => registry.deletePackage('left-pad', '^1.0.0'), 'E_PKG_VERSION_INVALID');
    await registry.publishPackage(v2.file);
    const all = await registry.deletePackage('left-pad');
    expect(all.map((d) => d.version)).toEqual(['1.1.0', '1.0.0']);
    expect(events.map((d) => d.version)).toEqual(['1.1.0', '1.1.0', '1.0.0']);
    expect((await registry.searchPackages('left-pad')).total).toBe(0);
    await expectCode(() => registry.deletePackage('left-pad'), 'E_PACKAGE_NOT_FOUND');
    expect((await registry.verify()).orphans.count).toBe(0);
    await registry.close();
    const check = await verifyAuditLog(path.join(t.store, 'audit.log'));
    expect(check.ok).toBe(true);
    const lines = readFileSync(path.join(t.store, 'audit.log'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => `${String(l['action'])}:${String(l['outcome'])}:${String(l['version'] ?? '')}`)).toEqual([
      'publish:success:1.0.0', 'publish:success:1.1.0', 'delete:success:1.1.0', 'delete:failure:1.1.0', 'delete:failure:^1.0.0',
      'publish:success:1.1.0', 'delete:success:1.1.0', 'delete:success:1.0.0', 'delete:failure:', 'verify:success:',
    ]);
    expect(lines.every((l) => l['actor'] === 'tester' && typeof l['time'] === 'string')).toBe(true);
    expect(lines[3]).toMatchObject({ code: 'E_VERSION_NOT_FOUND' });
  });

  it('gc --dry-run lists orphans and bytes without removing; gc removes them', async () => {
    const registry = await t.open();
    const kept = await t.pkg('kept', '1.0.0');
    await registry.publishPackage(kept.file);
    // Orphans as a crash between store and index leaves them: blobs with no metadata row.
    const p = (await import('../../providers/index.js')).defaultProviders({ path: t.store, fsync: false, audit: false });
    const orphanA = await t.pkg('orphan-a', '1.0.0');
    const orphanB = await t.pkg('orphan-b', '1.0.0');
    for (const o of [orphanA, orphanB]) {
      const copy = path.join(t.dir, `copy-${o.name}`);
      writeFileSync(copy, readFileSync(o.file));
      await p.storage.put(o.digest, o.size, copy);
    }
    const dry = await registry.gc({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.removed).toBe(2);
    expect(dry.bytesFreed).toBe(orphanA.size + orphanB.size);
    expect(dry.blobs.map((b) => b.digest).sort()).toEqual([orphanA.digest, orphanB.digest].sort());
    expect(existsSync(blobPath(t.store, orphanA.digest))).toBe(true);
    expect((await registry.verify()).orphans).toEqual({ count: 2, bytes: orphanA.size + orphanB.size });
    const real = await registry.gc();
    expect(real).toMatchObject({ dryRun: false, removed: 2, bytesFreed: orphanA.size + orphanB.size });
    expect(existsSync(blobPath(t.store, orphanA.digest))).toBe(false);
    expect(existsSync(blobPath(t.store, kept.digest))).toBe(true);
    expect((await registry.gc()).removed).toBe(0);
    await registry.close();
    await p.metadata.close?.();
  });

  it('rebuilds lost metadata from the stored archives, adding rows and never removing any', async () => {
    const registry = await t.open();
    const a = await t.pkg('left-pad', '1.0.0', { tags: ['strings'] });
    const b = await t.pkg('right-pad', '2.0.0');
    await registry.publishPackage(a.file);
    await registry.publishPackage(b.file);
    await registry.close();
    // The database is lost: a fresh one is empty, but the archives are all still there.
    for (const f of readdirSync(t.store).filter((f) => f.startsWith('registry.db'))) rmSync(path.join(t.store, f));
    const fresh = await t.open();
    await expectCode(() => fresh.getPackageInfo('left-pad'), 'E_PACKAGE_NOT_FOUND');
    await fresh.publishPackage((await t.pkg('third', '1.0.0')).file);
    const result = await fresh.rebuildMetadata();
    expect(result).toMatchObject({ scanned: 3, inserted: 2, unchanged: 1, conflicts: [], unreadable: [] });
    expect(result.steps.map((s) => s.step)).toEqual(['scanArchives', 'rebuildSearch']);
    expect((await fresh.getPackageInfo('left-pad')).metadata.tags).toEqual(['strings']);
    expect((await fresh.getPackageInfo('third')).version).toBe('1.0.0');
    expect((await fresh.searchPackages('right-pad')).items[0]?.name).toBe('right-pad');
    await fresh.close();
  });
});

describe('wiring', () => {
  const good = () => ({
    metadata: createMemoryMetadata(),
    storage: createMemoryStorage(),
    versioning: createSemverVersioning(),
    validation: createZipValidator(),
    search: createFuseSearch(),
  });

  it('refuses a missing provider with E_PROVIDER_MISSING', async () => {
    for (const family of ['metadata', 'storage', 'versioning', 'validation', 'search'] as const) {
      const options = { ...good(), [family]: undefined };
      const err = await expectCode(() => new CoreRegistryManager(options as never), 'E_PROVIDER_MISSING');
      expect(err.message).toContain(family);
    }
  });

  it('refuses a provider of the wrong family, core range or shape with E_PROVIDER_INCOMPATIBLE', async () => {
    const p = good();
    await expectCode(() => new CoreRegistryManager({ ...p, storage: p.metadata as never }), 'E_PROVIDER_INCOMPATIBLE');
    const old = { ...p.search, info: { ...p.search.info, coreRange: '^9.0.0' } };
    const err = await expectCode(() => new CoreRegistryManager({ ...p, search: old }), 'E_PROVIDER_INCOMPATIBLE');
    expect(err.message).toContain('^9.0.0');
    const partial = { info: p.validation.info } as never;
    await expectCode(() => new CoreRegistryManager({ ...p, validation: partial }), 'E_PROVIDER_INCOMPATIBLE');
    const noInfo = { ...p.versioning, info: undefined } as never;
    await expectCode(() => new CoreRegistryManager({ ...p, versioning: noInfo }), 'E_PROVIDER_INCOMPATIBLE');
    await expectCode(() => new CoreRegistryManager({ ...p, audit: [{ info: { name: 'x', family: 'audit', coreRange: '*' } } as never] }), 'E_PROVIDER_INCOMPATIBLE');
  });

  it('works on the in-memory providers, rebuilds a non-persistent search index at open, and refuses use after close', async () => {
    const p = good();
    const first = new CoreRegistryManager(p);
    const a = await t.pkg('left-pad', '1.0.0');
    await first.publishPackage(a.file);
    // A second manager over the same metadata with a fresh (empty, non-persistent) index.
    const second = new CoreRegistryManager({ ...p, search: createFuseSearch() });
    await second.open();
    expect((await second.searchPackages('left-pad')).items.map((i) => i.name)).toEqual(['left-pad']);
    await first.close();
    await first.close();
    await expectCode(() => first.getPackageInfo('left-pad'), 'E_CLOSED');
  });

  it('openRegistry with create: false refuses a folder that holds no store', async () => {
    const { openRegistry } = await import('../../providers/index.js');
    await expectCode(() => openRegistry({ path: path.join(t.dir, 'none'), create: false }), 'E_REGISTRY_NOT_FOUND');
    await expectCode(() => openRegistry({ path: '' }), 'E_PROVIDER_OPTION');
  });
});
