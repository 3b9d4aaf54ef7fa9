/**
 * The worked example's test, complete as it stands in your project: the storage conformance suite
 * against the flat-folder provider, then the provider in a registry. Needs vitest (pakt's peer
 * dependency for its conformance suites): `npx vitest run flat-storage.test.ts`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPackage, CoreRegistryManager, type StorageProvider } from 'pakt';
import { describeStorageConformance, expectCode } from 'pakt/conformance';
import { createMemoryMetadata } from 'pakt/providers/metadata/memory';
import { createFuseSearch } from 'pakt/providers/search/fuse';
import { createZipValidator } from 'pakt/providers/validation/zip';
import { createSemverVersioning } from 'pakt/providers/versioning/semver';
import { createFlatStorage } from './flat-storage.js';

/** Each provider's folder, so that the suite's hooks can reach behind the provider's back. */
const folders = new Map<StorageProvider, string>();
const freshFolder = (): string => mkdtempSync(path.join(os.tmpdir(), 'flat-storage-'));

await describeStorageConformance({
  name: 'flat folder',
  create: () => {
    const dir = freshFolder();
    const storage = createFlatStorage({ dir });
    folders.set(storage, dir);
    return storage;
  },
  // The same folder, opened again (the persistence case).
  reopen: (storage) => {
    const again = createFlatStorage({ dir: folders.get(storage)! });
    folders.set(again, folders.get(storage)!);
    return again;
  },
  // A failing disk: the blob's bytes change without the provider knowing (the integrity cases).
  corrupt: (storage, digest, bytes) => writeFileSync(path.join(folders.get(storage)!, digest.slice('sha256:'.length)), bytes),
  cleanup: (storage) => rmSync(folders.get(storage)!, { recursive: true, force: true }),
});

describe('the flat-folder provider in a registry', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes, downloads, and catches a corrupted blob', async () => {
    const dir = freshFolder();
    made.push(dir);
    const blobs = path.join(dir, 'blobs');
    const registry = new CoreRegistryManager({
      metadata: createMemoryMetadata(),
      storage: createFlatStorage({ dir: blobs }),
      versioning: createSemverVersioning(),
      validation: createZipValidator(),
      search: createFuseSearch(),
    });
    const pkg = await buildPackage({ metadata: { name: 'left-pad', version: '1.0.0', description: 'pads' }, files: { 'index.js': 'export default 1;\n' } }, path.join(dir, 'left-pad.zip'));
    await registry.publishPackage(pkg.file);
    expect(readdirSync(blobs)).toContain(pkg.digest.slice('sha256:'.length));

    const out = path.join(dir, 'copy.zip');
    expect((await registry.downloadToFile('left-pad', '1.0.0', out)).digest).toBe(pkg.digest);

    writeFileSync(path.join(blobs, pkg.digest.slice('sha256:'.length)), 'corrupted');
    rmSync(out);
    await expectCode(() => registry.downloadToFile('left-pad', '1.0.0', out), 'E_STORE_INTEGRITY');
    expect(existsSync(out)).toBe(false);
    expect((await registry.verify()).ok).toBe(false);
    await registry.close();
  });
});
