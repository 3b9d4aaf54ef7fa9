/**
 * The whole registry on an OCI registry: a CoreRegistryManager wired with the OCI storage and the
 * SQLite metadata publishes (small and large), downloads, verifies (a damaged archive found and
 * quarantined), deletes, gc's and rebuilds its metadata from what the registry holds.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexedSearch, createSemverVersioning, createSqliteMetadata, createZipValidator } from '../../../../providers/index.js';
import { artifactPlace } from '../../../../providers/storage/oci/artifact-names.js';
import { createOciStorage, quarantineTag, type OciStorage } from '../../../../providers/storage/oci/index.js';
import type { MetadataProvider } from '../../../../src/contracts/index.js';
import { CoreRegistryManager } from '../../../../src/core/registry-manager.js';
import { digestHex, digestOfBytes } from '../../../../src/util/digest.js';
import { tempStore, type TempStore } from '../../../core/helpers.js';
import { api, FAST_RETRY, namespace } from './helpers.js';
import { skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';

const skip = skipRegistrySuites();

describe.skipIf(skip)('a registry whose archives live in an OCI registry', () => {
  let server: RegistryServer;
  let t: TempStore;
  beforeAll(async () => {
    server = await startRegistry();
    t = tempStore();
  });
  afterAll(async () => {
    await server?.dispose();
    t?.cleanup();
  });

  function open(ns: string): { registry: CoreRegistryManager; storage: OciStorage; metadata: MetadataProvider } {
    const storage = createOciStorage({ url: server.url(ns), credentials: 'anonymous', retry: FAST_RETRY, monolithicMaxBytes: 512 * 1024, chunkBytes: 1024 * 1024 });
    const metadata = createSqliteMetadata({ path: path.join(t.dir, `${ns}.db`), synchronous: 'normal' });
    const registry = new CoreRegistryManager({ metadata, storage, versioning: createSemverVersioning(), validation: createZipValidator({ limits: {} }), search: createIndexedSearch({ limits: {} }), audit: [] });
    return { registry, storage, metadata };
  }

  async function download(registry: CoreRegistryManager, name: string, version: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await registry.downloadPackage(name, version)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('publishes, downloads, verifies, deletes, gc\'s and rebuilds', async () => {
    const ns = namespace('full');
    const { registry, storage, metadata } = open(ns);
    try {
      const small = await t.pkg('small', '1.0.0');
      const scoped = await t.pkg('@acme/util', '2.1.0-beta.1+sha.5');
      const large = await t.pkg('large', '1.0.0', { files: { 'data.bin': randomBytes(3 * 1024 * 1024).toString('base64') } });
      const published = [];
      for (const p of [small, scoped, large]) published.push(await registry.publishPackage(p.file));
      expect(published.map((r) => `${r.name}@${r.version}`)).toEqual(['small@1.0.0', '@acme/util@2.1.0-beta.1+sha.5', 'large@1.0.0']);
      // The registry holds them where an OCI client looks.
      expect((await api(server, `${ns}/acme/util/manifests/2.1.0-beta.1_sha.5`, { method: 'HEAD' })).status).toBe(200);
      expect((await download(registry, 'large', '1.0.0')).equals(await import('node:fs/promises').then((f) => f.readFile(large.file)))).toBe(true);
      expect(digestOfBytes(await download(registry, '@acme/util', '2.1.0-beta.1+sha.5'))).toBe(published[1]!.digest);
      // Republishing identical bytes changes nothing.
      await registry.publishPackage(small.file);

      let check = await registry.verify();
      expect(check).toMatchObject({ ok: true, checked: 3, corrupt: [], missing: [], orphans: { count: 0 } });

      // An archive damaged in the registry: verify finds it and quarantines it.
      const bad = published[0]!;
      const place = artifactPlace(ns, { name: bad.name, version: bad.version });
      const damaged = Buffer.concat([Buffer.from('junk'), randomBytes(64)]);
      const dh = digestHex(digestOfBytes(damaged));
      await mkdir(path.join(server.storageRoot, 'blobs', 'sha256', dh.slice(0, 2), dh), { recursive: true });
      await writeFile(path.join(server.storageRoot, 'blobs', 'sha256', dh.slice(0, 2), dh, 'data'), damaged);
      const layers = path.join(server.storageRoot, 'repositories', place.repository, '_layers', 'sha256');
      await mkdir(path.join(layers, dh), { recursive: true });
      await writeFile(path.join(layers, dh, 'link'), `sha256:${dh}`);
      await writeFile(path.join(layers, digestHex(bad.digest), 'link'), `sha256:${dh}`);
      check = await registry.verify();
      expect(check.ok).toBe(false);
      expect(check.corrupt.map((c) => c.name)).toEqual(['small']);
      expect((await api(server, `${place.repository}/manifests/${quarantineTag(bad.digest)}`, { method: 'HEAD' })).status).toBe(200);
      // Republishing the good archive repairs it.
      await registry.publishPackage(small.file);
      expect((await registry.verify()).ok).toBe(true);

      // Delete removes the version's artifact.
      await registry.deletePackage('large', '1.0.0');
      expect((await api(server, `${ns}/large/manifests/1.0.0`, { method: 'HEAD' })).status).toBe(404);

      // Metadata lost, archives kept: rebuild reads them back through their listed owners.
      await metadata.deleteVersion('small', '1.0.0');
      await metadata.deleteVersion('@acme/util', '2.1.0-beta.1+sha.5');
      const rebuilt = await registry.rebuildMetadata();
      expect(rebuilt).toMatchObject({ scanned: 2, inserted: 2, conflicts: [], unreadable: [] });
      expect((await registry.getPackageInfo('@acme/util')).name).toBe('@acme/util');

      // An archive no version refers to is what gc removes.
      await metadata.deleteVersion('small', '1.0.0');
      const gc = await registry.gc();
      expect(gc.removed).toBe(1);
      expect(gc.blobs.map((b) => b.digest)).toEqual([bad.digest]);
      expect((await api(server, `${ns}/small/manifests/1.0.0`, { method: 'HEAD' })).status).toBe(404);
      const left = [];
      for await (const b of storage.list()) left.push(`${b.owner!.name}@${b.owner!.version}`);
      expect(left).toEqual(['@acme/util@2.1.0-beta.1+sha.5']);
      expect((await registry.verify()).ok).toBe(true);
    } finally {
      await registry.close();
    }
  });

  it('a publish whose archive the registry cannot hold under that name fails cleanly and stores nothing', async () => {
    const { registry, storage } = open(namespace('refused'));
    try {
      const p = await t.pkg('trailing-dash-', '1.0.0');
      await expect(registry.publishPackage(p.file)).rejects.toMatchObject({ code: 'E_OCI_NAME_UNSUPPORTED' });
      const listed = [];
      for await (const b of storage.list()) listed.push(b);
      expect(listed).toEqual([]);
      await expect(registry.getPackageInfo('trailing-dash-')).rejects.toMatchObject({ code: 'E_PACKAGE_NOT_FOUND' });
    } finally {
      await registry.close();
    }
  });
});
