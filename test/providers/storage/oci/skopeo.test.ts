/**
 * An outside OCI client reads what Pakt stored: `skopeo list-tags`, `skopeo inspect --raw` and
 * `skopeo copy` of a published package, whose copied layer is byte for byte the archive.
 * (skopeo's `inspect` without --raw refuses any artifact that is not a container image, by
 * design of containers/image; --raw shows the manifest.)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexedSearch, createSemverVersioning, createSqliteMetadata, createZipValidator } from '../../../../providers/index.js';
import { createOciStorage } from '../../../../providers/storage/oci/index.js';
import { CoreRegistryManager } from '../../../../src/core/registry-manager.js';
import { digestHex } from '../../../../src/util/digest.js';
import { tempStore, type TempStore } from '../../../core/helpers.js';
import { FAST_RETRY, namespace } from './helpers.js';
import { skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';

const run = promisify(execFile);
const SKOPEO = '/usr/bin/skopeo';
let skip = skipRegistrySuites();
if (!skip && !existsSync(SKOPEO)) {
  if (process.env['CI']) throw new Error('the skopeo test needs skopeo on CI (apt-get install -y skopeo)');
  process.stderr.write('\n[skip] skopeo tests skipped: skopeo is not installed\n');
  skip = true;
}

describe.skipIf(skip)('skopeo reads what Pakt stored', () => {
  let server: RegistryServer;
  let t: TempStore;
  let out: string;
  beforeAll(async () => {
    server = await startRegistry();
    t = tempStore();
    out = await mkdtemp(path.join(tmpdir(), 'pakt-skopeo-'));
  });
  afterAll(async () => {
    await server?.dispose();
    t?.cleanup();
    await rm(out, { recursive: true, force: true });
  });

  it('list-tags, inspect --raw and copy of a package artifact; the copied layer is the archive', async () => {
    const ns = namespace('skopeo');
    const storage = createOciStorage({ url: server.url(ns), credentials: 'anonymous', retry: FAST_RETRY });
    const registry = new CoreRegistryManager({
      metadata: createSqliteMetadata({ path: path.join(t.dir, 'skopeo.db') }), storage, versioning: createSemverVersioning(),
      validation: createZipValidator({ limits: {} }), search: createIndexedSearch({ limits: {} }), audit: [],
    });
    try {
      const pkg = await t.pkg('@acme/widget', '1.4.0+build.9');
      const published = await registry.publishPackage(pkg.file);
      const ref = `docker://${storage.referenceOf({ name: '@acme/widget', version: '1.4.0+build.9' })}`;
      expect(ref).toBe(`docker://${server.host}/${ns}/acme/widget:1.4.0_build.9`);

      const tags = JSON.parse((await run(SKOPEO, ['list-tags', '--tls-verify=false', `docker://${server.host}/${ns}/acme/widget`])).stdout) as { Tags: string[] };
      expect(tags.Tags).toEqual(['1.4.0_build.9']);

      const raw = JSON.parse((await run(SKOPEO, ['inspect', '--raw', '--tls-verify=false', ref])).stdout) as Record<string, any>;
      expect(raw['artifactType']).toBe('application/vnd.pakt.package.v1+zip');
      expect(raw['layers']).toEqual([expect.objectContaining({ digest: published.digest, size: published.size, mediaType: 'application/vnd.pakt.package.v1+zip' })]);

      const dir = path.join(out, 'copy');
      await run(SKOPEO, ['copy', '--src-tls-verify=false', ref, `dir:${dir}`]);
      const layer = await readFile(path.join(dir, digestHex(published.digest)));
      expect(layer.equals(await readFile(pkg.file))).toBe(true);
      expect((await readdir(dir)).sort()).toContain('manifest.json');

      // An OCI layout copy keeps the artifact type too.
      const layout = path.join(out, 'layout');
      await run(SKOPEO, ['copy', '--src-tls-verify=false', ref, `oci:${layout}:widget`]);
      expect((await readFile(path.join(layout, 'blobs', 'sha256', digestHex(published.digest)))).equals(await readFile(pkg.file))).toBe(true);
    } finally {
      await registry.close();
    }
  });
});
