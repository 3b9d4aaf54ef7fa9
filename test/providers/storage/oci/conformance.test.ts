/**
 * The OCI storage passes the storage conformance suite unchanged, against a real registry.
 *
 * The corrupt hook changes what the registry serves for the blob in the package's repository: it
 * writes the damaged bytes into the registry's blob store under their own digest and points the
 * repository's link for the blob at them, as a fault in the registry's storage would. (Damage to
 * the shared data file itself is tested in storage.test.ts: distribution re-uses a data file it
 * has for a digest on every later upload, so that damage outlives a re-upload until the
 * registry's garbage collection, and the suite's last step, storing the good copy again, cannot
 * work there without it.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { artifactPlace } from '../../../../providers/storage/oci/artifact-names.js';
import { createOciStorage, type OciStorage } from '../../../../providers/storage/oci/index.js';
import type { Digest } from '../../../../src/contracts/index.js';
import { digestHex, digestOfBytes } from '../../../../src/util/digest.js';
import { describeStorageConformance, ownerFor } from '../../../conformance/storage.suite.js';
import { skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';

/** Replaces the bytes a repository serves for `digest` behind the registry's back. */
export async function corruptLink(server: RegistryServer, repository: string, digest: Digest, bytes: Buffer): Promise<void> {
  const bad = digestHex(digestOfBytes(bytes));
  const dataDir = path.join(server.storageRoot, 'blobs', 'sha256', bad.slice(0, 2), bad);
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'data'), bytes);
  const layers = path.join(server.storageRoot, 'repositories', repository, '_layers', 'sha256');
  // The registry serves a linked digest through the repository's own link for it, so the damaged
  // bytes are linked too.
  await mkdir(path.join(layers, bad), { recursive: true });
  await writeFile(path.join(layers, bad, 'link'), `sha256:${bad}`);
  await writeFile(path.join(layers, digestHex(digest), 'link'), `sha256:${bad}`);
}

if (skipRegistrySuites()) {
  describe.skip('storage conformance: oci (docker-registry is not installed here)', () => {
    it('needs docker-registry', () => undefined);
  });
} else {
  const server = await startRegistry();
  afterAll(() => server.dispose());
  let n = 0;
  const fast = { retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200, maxElapsedMs: 5000 } };
  await describeStorageConformance<OciStorage>({
    name: 'oci (docker-registry 2.8)',
    // A fresh namespace per case: list() walks only the provider's own namespace.
    create: () => createOciStorage({ url: server.url(`conformance-${process.pid}-${++n}`), credentials: 'anonymous', ...fast }),
    reopen: (previous) => createOciStorage({ url: server.url(previous.location.namespace), credentials: 'anonymous', ...fast }),
    corrupt: (storage, digest, bytes) => corruptLink(server, artifactPlace(storage.location.namespace, ownerFor(digest)).repository, digest, bytes),
  });
}
