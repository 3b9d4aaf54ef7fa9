import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestOfBytes } from '../../src/util/digest.js';
import { isTempName } from '../../src/util/tmp.js';
import { writeStreamToTempFile } from '../../src/util/write-stream-to-temp.js';
import { expectCode } from '../helpers/expect-code.js';
import { bundleChild, runProcess, type ChildBundle } from './child-bundle.js';

const PRLIMIT = '/usr/bin/prlimit';

describe('writeStreamToTempFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pakt-wsttf-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the stream to a fresh temp file and returns its digest and size', async () => {
    const bytes = randomBytes(300_000);
    const target = join(dir, 'nested', 'tmp');
    const result = await writeStreamToTempFile(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), target, { fsync: true });
    expect(result.digest).toBe(digestOfBytes(bytes));
    expect(result.size).toBe(bytes.length);
    expect(isTempName(result.path.slice(target.length + 1))).toBe(true);
    expect((await readFile(result.path)).equals(bytes)).toBe(true);
  });

  it('gives each call its own file', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => writeStreamToTempFile(Readable.from([Buffer.from(`n${i}`)]), dir)));
    expect(new Set(results.map((r) => r.path)).size).toBe(10);
  });

  it('over the byte limit: coded error, and nothing left behind', async () => {
    const err = await expectCode(() => writeStreamToTempFile(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), dir, { maxBytes: 1000 }), 'E_STORE_INPUT_TOO_LARGE');
    expect(err.details.limit).toEqual({ name: 'maxBytes', value: 1000 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('an input that fails midway: E_IO with the cause, and nothing left behind', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
      },
    });
    const err = await expectCode(() => writeStreamToTempFile(failing, dir), 'E_IO');
    expect(err.message).toContain('connection reset');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a folder that cannot be created gives E_IO', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const err = await expectCode(() => writeStreamToTempFile(Readable.from([Buffer.from('x')]), join(dir, 'file', 'sub')), 'E_IO');
    expect((err.cause as NodeJS.ErrnoException).code).toMatch(/^(ENOTDIR|EEXIST)$/);
  });

  describe('when the OS fails a write midway (file size limit, as a full disk would)', () => {
    let child: ChildBundle;
    beforeAll(async () => {
      child = await bundleChild('test/util/write-limit.child.ts');
    });
    afterAll(async () => {
      await child?.dispose();
    });

    it.skipIf(!existsSync(PRLIMIT))('gives E_IO with the OS cause and removes the partial file [needs prlimit]', async () => {
      const result = await runProcess(PRLIMIT, ['--fsize=100000', process.execPath, child.file, 'intake', dir, '300000']);
      const report = JSON.parse(result.stdout.trim() || '{}') as { ok?: boolean; error?: { code?: string; causeCode?: string }; left?: string[] };
      expect(report.ok, result.stderr).toBe(false);
      expect(report.error).toEqual({ code: 'E_IO', causeCode: 'EFBIG' });
      expect(report.left).toEqual([]);
    });
  });
});
