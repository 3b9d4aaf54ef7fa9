/**
 * A store that places blobs by their owner (ownerRequired, as an OCI registry does) gets the owner
 * in every call from every pipeline, and is never asked to store a blob before validation named it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlobOwner, StorageProvider } from '../../src/contracts/index.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { RegistryError } from '../../src/errors.js';
import { defaultProviders } from '../../providers/index.js';
import { tempStore, type TempStore } from './helpers.js';

type Call = { method: string; owner: BlobOwner | undefined };

/** The store's own fs-cas, refusing any call without an owner and recording each owner it got. */
function ownerPlaced(inner: StorageProvider, calls: Call[]): StorageProvider {
  const need = (method: string, owner: BlobOwner | undefined): void => {
    calls.push({ method, owner });
    if (!owner) throw new RegistryError('E_INVALID_ARGUMENT', `${method} without an owner`);
  };
  return {
    info: inner.info,
    tempDir: inner.tempDir,
    capabilities: { ...inner.capabilities, ownerRequired: true },
    async put(d, size, file, owner) { need('put', owner); return inner.put(d, size, file, owner); },
    async putBytes(d, bytes, owner) { need('putBytes', owner); return inner.putBytes!(d, bytes, owner); },
    async get(d, owner) { need('get', owner); return inner.get(d, owner); },
    async stat(d, owner) { need('stat', owner); return inner.stat(d, owner); },
    async delete(d, owner) { need('delete', owner); return inner.delete(d, owner); },
    async quarantine(d, reason, owner) { need('quarantine', owner); return inner.quarantine(d, reason, owner); },
    async *list() {
      // An owner-placed store knows each blob's owner; here the test keeps the map.
      for await (const b of inner.list()) yield { ...b, owner: owners.get(b.digest) };
    },
    close: () => inner.close?.(),
  };
}
const owners = new Map<string, BlobOwner>();

describe('a storage provider with ownerRequired', () => {
  let t: TempStore;
  afterEach(() => t.cleanup());

  it('gets the owner in every call of publish (small and large), download, verify, delete, gc and rebuild', async () => {
    t = tempStore();
    const calls: Call[] = [];
    const defaults = defaultProviders({ path: t.store, fsync: false, audit: false });
    const registry = new CoreRegistryManager({ ...defaults, storage: ownerPlaced(defaults.storage, calls) });
    try {
      const small = await t.pkg('small', '1.0.0');
      const large = await t.pkg('large', '1.0.0', { files: { 'data.bin': randomBytes(1536 * 1024).toString('base64') } });
      for (const p of [small, large]) {
        const r = await registry.publishPackage(p.file);
        owners.set(r.digest, { name: r.name, version: r.version });
      }
      const chunks: Buffer[] = [];
      for await (const c of await registry.downloadPackage('small', '1.0.0')) chunks.push(c as Buffer);
      expect((await registry.verify()).ok).toBe(true);
      await registry.deletePackage('large', '1.0.0');
      await registry.publishPackage(large.file);
      // Rows lost, archives kept: the rebuild reads each blob through its listed owner.
      await defaults.metadata.deleteVersion('small', '1.0.0');
      expect((await registry.rebuildMetadata()).inserted).toBe(1);
      await defaults.metadata.deleteVersion('large', '1.0.0');
      expect((await registry.gc()).removed).toBe(1);
      expect(calls.filter((c) => !c.owner)).toEqual([]);
      expect(calls.map((c) => c.method)).toEqual(expect.arrayContaining(['put', 'putBytes', 'get', 'stat', 'delete']));
      for (const c of calls) expect(['small', 'large']).toContain(c.owner!.name);
    } finally {
      await registry.close();
    }
  });

  it('stores nothing for an archive that validation refuses', async () => {
    t = tempStore();
    const calls: Call[] = [];
    const defaults = defaultProviders({ path: t.store, fsync: false, audit: false });
    const registry = new CoreRegistryManager({ ...defaults, storage: ownerPlaced(defaults.storage, calls) });
    try {
      await expect(registry.publishPackage(Buffer.from('PK\u0003\u0004 not really a zip'))).rejects.toBeInstanceOf(RegistryError);
      expect(calls).toEqual([]);
    } finally {
      await registry.close();
    }
  });
});
