/**
 * A disk that fills up in the middle of an extraction (a real tmpfs of a few MiB, mounted for the
 * test; needs root): the install fails with E_IO naming the OS cause, the previous state of the
 * folder is left whole, and the staged files are gone (the space is given back).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/expect-code.js';
import { expectInStep, installFixture, readLock, type InstallFixture } from './helpers.js';

let f: InstallFixture;
let mountPoint: string;
let mounted = false;

/** Text-like bytes (deflate gets about 3:1): the archive fits on the small disk, the files do not. */
function words(n: number, seed: number): string {
  const vocabulary = ['plugin', 'host', 'registry', 'install', 'folder', 'manifest', 'digest', 'version', 'stream', 'archive'];
  let x = seed;
  const parts: string[] = [];
  let size = 0;
  while (size < n) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = `${vocabulary[(x >>> 0) % vocabulary.length]}${(x >>> 4) % 100000} `;
    parts.push(w);
    size += w.length;
  }
  return parts.join('').slice(0, n);
}

beforeAll(async () => {
  f = await installFixture();
  mountPoint = path.join(f.dir, 'small-disk');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false; // not root, or no mount permission: the test is skipped (and says so)
  }
});
afterAll(async () => {
  if (mounted) execFileSync('umount', [mountPoint]);
  await f.close();
});

describe('a full disk mid-extraction', () => {
  it.skipIf(process.getuid?.() !== 0)('leaves the previous state whole and gives the space back [needs root to mount a tmpfs]', async () => {
    expect(mounted, 'mounting a tmpfs as root').toBe(true);
    const into = path.join(mountPoint, 'plugins');
    await f.publish('small', '1.0.0');
    await f.registry.install({ into, requirements: ['small'] });
    const lockBefore = readFileSync(path.join(into, 'pakt-lock.json'));
    const free = () => statfsSync(mountPoint).bavail * statfsSync(mountPoint).bsize;
    const freeBefore = free();

    await f.publish('huge', '1.0.0', {}, { 'data/words.txt': words(7 * 1024 * 1024, 7) });
    const info = await f.registry.getPackageInfo('huge');
    expect(info.size, 'the archive itself fits on the disk').toBeLessThan(freeBefore);
    const err = await expectCode(() => f.registry.install({ into, requirements: ['huge'] }), 'E_IO');
    expect(err.details['step']).toBe('extract');
    expect(err.details['syscallCode']).toBe('ENOSPC');
    expect(readFileSync(path.join(into, 'pakt-lock.json')).equals(lockBefore)).toBe(true);
    expect(existsSync(path.join(into, 'huge'))).toBe(false);
    expect(existsSync(path.join(into, '.pakt-install'))).toBe(false);
    await expectInStep(f.registry, into);
    expect(free()).toBe(freeBefore);

    // An upgrade to a version that does not fit keeps the installed one.
    await f.publish('small', '2.0.0', {}, { 'data/words.txt': words(7 * 1024 * 1024, 11) });
    await expectCode(() => f.registry.install({ into, requirements: { small: '^2.0.0' } }), 'E_IO');
    expect(readLock(into).packages['small']!.version).toBe('1.0.0');
    await expectInStep(f.registry, into);
    expect(free()).toBe(freeBefore);
  });
});
