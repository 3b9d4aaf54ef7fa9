import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempName, sweepTempDir, tempName, tempPath } from '../../src/util/tmp.js';

describe('tmp', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pakt-tmp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes names unique per call, recognisable by the sweep', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempName()));
    expect(names.size).toBe(1000);
    for (const n of names) expect(isTempName(n)).toBe(true);
    expect(tempPath(dir).startsWith(join(dir, `pakt-${process.pid}-`))).toBe(true);
    expect(isTempName('pakt-1-abc.tmp')).toBe(false);
    expect(isTempName('registry.db')).toBe(false);
  });

  it('sweeps files of dead processes and old files, keeps live ones and foreign names', async () => {
    const dead = join(dir, 'pakt-999001-aaaaaaaaaaaa.tmp');
    const liveFresh = join(dir, 'pakt-999002-bbbbbbbbbbbb.tmp');
    const liveOld = join(dir, 'pakt-999003-cccccccccccc.tmp');
    const foreign = join(dir, 'keep-me.tmp');
    for (const f of [dead, liveFresh, liveOld, foreign]) await writeFile(f, '12345');
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    await utimes(liveOld, hourAgo, hourAgo);
    await mkdir(join(dir, 'pakt-999001-dddddddddddd.tmp')); // a folder left by a dead writer
    const result = await sweepTempDir(dir, { olderThanMs: 60_000, isAlive: (pid) => pid !== 999001 });
    expect(result.removed.sort()).toEqual([dead, join(dir, 'pakt-999001-dddddddddddd.tmp'), liveOld].sort());
    expect(result.bytesFreed).toBe(10);
    expect(result.kept).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['keep-me.tmp', 'pakt-999002-bbbbbbbbbbbb.tmp']);
  });

  it('keeps this process\'s own fresh files, and treats a missing folder as empty', async () => {
    const own = tempPath(dir);
    await writeFile(own, 'x');
    expect((await sweepTempDir(dir)).kept).toBe(1);
    expect(await sweepTempDir(join(dir, 'missing'))).toEqual({ removed: [], bytesFreed: 0, kept: 0 });
  });
});
