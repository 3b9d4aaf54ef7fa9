/**
 * Something other than a regular file where an archive should be — a FIFO, a symbolic link, a
 * folder — is refused at once with E_STORE_BLOB_NOT_FILE: never read (a FIFO used to hang the
 * download forever), never followed (a link could point anywhere on the machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../providers/index.js';
import { blobPath } from '../../providers/storage/fs-cas-layout.js';
import { expectCode } from '../helpers/expect-code.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => rmSync(t.dir, { recursive: true, force: true }));

const plants: Record<string, (at: string, dir: string) => void> = {
  'a FIFO': (at) => execFileSync('mkfifo', [at]),
  'a symbolic link to a file outside the store': (at, dir) => {
    const outside = path.join(dir, 'outside-secret.txt');
    writeFileSync(outside, 'not yours');
    symlinkSync(outside, at);
  },
  'a folder': (at) => mkdirSync(at),
};

describe('an archive replaced by something that is not a regular file', () => {
  for (const [what, plant] of Object.entries(plants)) {
    it(`${what}: download fails at once with E_STORE_BLOB_NOT_FILE and verify reports the version`, async () => {
      const registry = await openRegistry({ path: t.store, fsync: false });
      try {
        const { digest } = await registry.publishPackage((await t.pkg('victim', '1.0.0')).file);
        const at = blobPath(t.store, digest);
        rmSync(at);
        plant(at, t.dir);
        const err = await expectCode(async () => {
          const stream = await registry.downloadPackage('victim', '1.0.0');
          for await (const _ of stream) void _;
        }, 'E_STORE_BLOB_NOT_FILE');
        expect(err.details.path).toBe(at);
        const report = await registry.verify();
        expect(report.ok).toBe(false);
      } finally {
        await registry.close();
      }
    });
  }
});
