/**
 * The worked example of docs/providers.md is real code: it passes the storage conformance suite
 * and works in a CoreRegistryManager with no change to the core.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlatStorage } from '../../docs/examples/flat-storage.js';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { createFuseSearch } from '../../providers/search/fuse.js';
import { createZipValidator } from '../../providers/validation/zip.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { CoreRegistryManager } from '../../src/index.js';
import { describeStorageConformance } from '../conformance/storage.suite.js';
import { expectCode } from '../helpers/expect-code.js';
import { tempStore, type TempStore } from './helpers.js';

const dirs = new Map<object, string>();
await describeStorageConformance({
  name: 'docs/examples/flat-storage',
  create: () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-flat-'));
    const s = createFlatStorage({ dir });
    dirs.set(s, dir);
    return s;
  },
  reopen: (s) => createFlatStorage({ dir: dirs.get(s)! }),
  corrupt: (s, digest, bytes) => writeFileSync(path.join(dirs.get(s)!, digest.slice(7)), bytes),
  cleanup: (s) => rmSync(dirs.get(s)!, { recursive: true, force: true }),
});

describe('the worked example in a registry', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('publishes, downloads, and catches a corrupted blob', async () => {
    const blobs = path.join(t.dir, 'blobs');
    const registry = new CoreRegistryManager({
      metadata: createMemoryMetadata(),
      storage: createFlatStorage({ dir: blobs }),
      versioning: createSemverVersioning(),
      validation: createZipValidator(),
      search: createFuseSearch(),
    });
    const a = await t.pkg('left-pad', '1.0.0');
    await registry.publishPackage(a.file);
    expect(readdirSync(blobs)).toContain(a.digest.slice(7));
    const out = path.join(t.dir, 'copy.zip');
    expect((await registry.downloadToFile('left-pad', '1.0.0', out)).digest).toBe(a.digest);
    writeFileSync(path.join(blobs, a.digest.slice(7)), 'corrupted');
    rmSync(out);
    await expectCode(() => registry.downloadToFile('left-pad', '1.0.0', out), 'E_STORE_INTEGRITY');
    expect(existsSync(out)).toBe(false);
    expect((await registry.verify()).ok).toBe(false);
    await registry.close();
  });
});
