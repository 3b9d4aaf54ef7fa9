import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { expectCode } from '../helpers/expect-code.js';
import { bundleChild, runProcess, type ChildBundle } from './child-bundle.js';

const PRLIMIT = '/usr/bin/prlimit';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pakt-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and replaces a file, leaving no temp file', async () => {
    const target = join(dir, 'note.json');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, Buffer.from('second'));
    expect(await readFile(target, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['note.json']);
  });

  it('uses the given tmp folder for the temp file and applies the mode', async () => {
    const tmp = join(dir, 'tmp');
    const target = join(dir, 'out');
    await writeFileAtomic(target, 'x', { tmpDir: tmp, mode: 0o600, fsync: false });
    expect(await readdir(tmp)).toEqual([]);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('queues writes to one target: they land in call order, and every read sees a whole version', async () => {
    const target = join(dir, 'counter');
    const versions = Array.from({ length: 40 }, (_, i) => `${i}:${'#'.repeat(10_000 + i)}`);
    const reads: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const text = await readFile(target, 'utf8').catch(() => undefined);
        if (text !== undefined) reads.push(text);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(versions.map((v) => writeFileAtomic(target, v)));
    reading = false;
    await reader;
    expect(await readFile(target, 'utf8')).toBe(versions[versions.length - 1]);
    for (const text of reads) expect(versions).toContain(text);
  });

  it('a failure gives E_IO, keeps the old content and removes the temp file', async () => {
    const target = join(dir, 'target');
    await writeFile(target, 'old');
    await mkdir(join(dir, 'target-is-dir'));
    await writeFile(join(dir, 'target-is-dir', 'child'), 'x');
    const err = await expectCode(() => writeFileAtomic(join(dir, 'target-is-dir'), 'new', { tmpDir: dir }), 'E_IO');
    expect((err.cause as NodeJS.ErrnoException).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect((await readdir(dir)).sort()).toEqual(['target', 'target-is-dir']);
    expect(await readFile(target, 'utf8')).toBe('old');
  });

  describe('when the OS fails the write (file size limit, as a full disk would)', () => {
    let child: ChildBundle;
    beforeAll(async () => {
      child = await bundleChild('test/util/write-limit.child.ts');
    });
    afterAll(async () => {
      await child?.dispose();
    });

    it.skipIf(!existsSync(PRLIMIT))('keeps the old content whole and leaves no temp file [needs prlimit]', async () => {
      const target = join(dir, 'target');
      await writeFile(target, 'old content');
      const result = await runProcess(PRLIMIT, ['--fsize=100000', process.execPath, child.file, 'atomic', target, '300000']);
      const report = JSON.parse(result.stdout.trim() || '{}') as { ok?: boolean; error?: { code?: string; causeCode?: string }; left?: string[] };
      expect(report.ok, result.stderr).toBe(false);
      expect(report.error).toEqual({ code: 'E_IO', causeCode: 'EFBIG' });
      expect(report.left).toEqual(['target']);
      expect(await readFile(target, 'utf8')).toBe('old content');
    });
  });
});
