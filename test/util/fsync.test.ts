import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDir, fsyncFile } from '../../src/util/fsync.js';
import { expectCode } from '../helpers/expect-code.js';

describe('fsync helpers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pakt-fsync-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('flush an existing file and folder', async () => {
    await writeFile(join(dir, 'f'), 'data');
    await expect(fsyncFile(join(dir, 'f'))).resolves.toBeUndefined();
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
  });

  it('a missing path is E_IO naming it, with the OS error as cause', async () => {
    const err = await expectCode(() => fsyncFile(join(dir, 'missing')), 'E_IO');
    expect(err.message).toContain(join(dir, 'missing'));
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    await expectCode(() => fsyncDir(join(dir, 'missing-dir')), 'E_IO');
  });
});
