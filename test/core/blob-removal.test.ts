/**
 * A removal of an unreferenced archive (gc, delete, a failed publish's undo) racing a publish of
 * the very same bytes. The publish's insert lands between "nothing refers to it" and the removal:
 * the interleaving is forced here, at the moment the store is asked to delete, so the outcome
 * does not depend on timing luck. Whatever the order, an acknowledged version keeps its archive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MetadataProvider, StorageProvider, VersionRecord } from '../../src/contracts/index.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { defaultProviders } from '../../providers/index.js';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { createMemoryStorage } from '../../providers/storage/memory.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { createZipValidator } from '../../providers/validation/zip.js';
import { createIndexedSearch } from '../../providers/search/indexed.js';
import { RegistryError } from '../../src/errors.js';
import { expectCode } from '../helpers/expect-code.js';
import type { PackResult } from '../../src/package/pack.js';
import { tempStore, type TempStore } from './helpers.js';

interface Rigged {
  registry: CoreRegistryManager;
  metadata: MetadataProvider;
  storage: StorageProvider;
  /** Runs once, inside the next storage.delete, before the blob is removed. */
  beforeNextDelete(hook: () => Promise<void>): void;
  /** Resolves when the next insertVersion call has been made (not settled). */
  nextInsertCalled(): Promise<VersionRecord>;
  /** Runs once, inside the next insertVersion, before the row is inserted. */
  beforeNextInsert(hook: () => Promise<void>): void;
}

/** The registry on the given providers, with storage.delete and metadata.insertVersion observable. */
function rig(base: { metadata: MetadataProvider; storage: StorageProvider }): Rigged {
  let hook: (() => Promise<void>) | undefined;
  let insertCalled: ((r: VersionRecord) => void) | undefined;
  let insertHook: (() => Promise<void>) | undefined;
  const storage: StorageProvider = Object.create(base.storage) as StorageProvider;
  storage.delete = async (digest) => {
    const h = hook;
    hook = undefined;
    if (h) await h();
    return base.storage.delete(digest);
  };
  const metadata: MetadataProvider = Object.create(base.metadata) as MetadataProvider;
  metadata.insertVersion = async (record) => {
    const h = insertHook;
    insertHook = undefined;
    if (h) await h();
    const signal = insertCalled;
    insertCalled = undefined;
    const outcome = base.metadata.insertVersion(record);
    signal?.(record);
    return outcome;
  };
  const registry = new CoreRegistryManager({ metadata, storage, versioning: createSemverVersioning(), validation: createZipValidator(), search: createIndexedSearch(), actor: 'tester' });
  return {
    registry,
    metadata,
    storage,
    beforeNextDelete: (h) => (hook = h),
    nextInsertCalled: () => new Promise((resolve) => (insertCalled = resolve)),
    beforeNextInsert: (h) => (insertHook = h),
  };
}

interface PublishOutcome {
  ok: boolean;
  r?: { status: string };
  err?: unknown;
}

/**
 * When the store is next asked to delete (the archive was just found unreferenced), publishes
 * `file` and lets its insert be made before the deletion goes on, with time for an insert that
 * is not held back to commit and the publish to check its archive. Returns the publish's outcome.
 */
function republishOnNextDelete(rigged: Rigged, file: string): () => Promise<PublishOutcome> {
  let publishing: Promise<PublishOutcome> | undefined;
  rigged.beforeNextDelete(async () => {
    const inserted = rigged.nextInsertCalled();
    publishing = rigged.registry.publishPackage(file).then(
      (r) => ({ ok: true, r }),
      (err: unknown) => ({ ok: false, err }),
    );
    await inserted;
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  return async () => {
    if (!publishing) throw new Error('the store was never asked to delete');
    return publishing;
  };
}

const setups: Array<[string, (t: TempStore) => { metadata: MetadataProvider; storage: StorageProvider }]> = [
  ['SQLite + fs-cas', (t) => {
    const { metadata, storage } = defaultProviders({ path: t.store, fsync: false, audit: false });
    return { metadata, storage };
  }],
  ['in memory', () => ({ metadata: createMemoryMetadata(), storage: createMemoryStorage() })],
];

describe.each(setups)('removing an unreferenced archive while the same bytes are published (%s)', (_label, providers) => {
  let t: TempStore;
  let rigged: Rigged | undefined;
  afterEach(async () => {
    await rigged?.registry.close();
    rigged = undefined;
    t.cleanup();
  });

  /**
   * A fresh rigged store with `name`@1.0.0 published; with `orphan`, its row is deleted again and
   * the archive stays, as a crash mid-delete leaves one.
   */
  async function publishedOnce(name: string, { orphan }: { orphan: boolean }): Promise<{ rigged: Rigged; pkg: PackResult }> {
    t = tempStore();
    rigged = rig(providers(t));
    const pkg = await t.pkg(name, '1.0.0');
    await rigged.registry.publishPackage(pkg.file);
    if (orphan) await rigged.metadata.deleteVersion(name, '1.0.0');
    return { rigged, pkg };
  }

  it('gc: the publish that inserted its version meanwhile keeps its archive', async () => {
    const { rigged, pkg } = await publishedOnce('raced', { orphan: true });
    const { registry, metadata, storage } = rigged;

    // gc finds the archive unreferenced; before it removes it, the same bytes are published.
    const republished = republishOnNextDelete(rigged, pkg.file);
    const gc = await registry.gc();
    const outcome = await republished();

    expect(gc.removed).toBe(1);
    expect(outcome.ok, String(outcome.err)).toBe(true);
    expect(outcome.r?.status).toBe('published');
    // The version exists, and so does its archive, intact.
    expect(await storage.stat(pkg.digest)).toEqual({ digest: pkg.digest, size: pkg.size });
    const check = await registry.verify();
    expect(check).toMatchObject({ ok: true, missing: [], corrupt: [] });
  });

  it('rebuild: an archive gc removes while it is being restored is stored back with its row', async () => {
    const { rigged, pkg } = await publishedOnce('restored', { orphan: true });
    const { registry, metadata, storage } = rigged;
    // The rebuild has read and validated the orphan; before its row goes in, gc removes it.
    rigged.beforeNextInsert(async () => {
      expect((await registry.gc()).removed).toBe(1);
    });
    const rebuilt = await registry.rebuildMetadata();
    expect(rebuilt.inserted).toBe(1);
    expect(await storage.stat(pkg.digest)).toEqual({ digest: pkg.digest, size: pkg.size });
    expect(await registry.verify()).toMatchObject({ ok: true, missing: [], corrupt: [] });
  });

  it('rebuild: when the archive cannot be stored back, the rebuilt row goes again', async () => {
    const { rigged, pkg } = await publishedOnce('unlucky', { orphan: true });
    const { registry, metadata, storage } = rigged;
    rigged.beforeNextInsert(async () => {
      expect((await registry.gc()).removed).toBe(1);
      storage.put = async () => {
        throw new RegistryError('E_IO', 'disk full (injected)');
      };
    });
    await expectCode(() => registry.rebuildMetadata(), 'E_IO');
    expect(await metadata.getVersion('unlucky', '1.0.0')).toBeUndefined();
    expect(await registry.verify()).toMatchObject({ ok: true, missing: [], corrupt: [] });
  });

  it('delete: a republish of the deleted bytes racing the blob removal keeps its archive', async () => {
    const { rigged, pkg } = await publishedOnce('again', { orphan: false });
    const { registry, storage } = rigged;

    const republished = republishOnNextDelete(rigged, pkg.file);
    await registry.deletePackage('again', '1.0.0');
    const outcome = await republished();

    expect(outcome.ok, String(outcome.err)).toBe(true);
    expect((await registry.getPackageInfo('again', '1.0.0')).digest).toBe(pkg.digest);
    expect(await storage.stat(pkg.digest)).toEqual({ digest: pkg.digest, size: pkg.size });
    expect(await registry.verify()).toMatchObject({ ok: true, missing: [], corrupt: [] });
  });
});
