/**
 * Extracting a large package never holds it in memory: in a child process, installing a package
 * with a 96 MiB file (incompressible, so the archive is as large) raises the peak RSS by far
 * less than the file's size. Linux only (the peak is read from /proc).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleValidatingChild, runChild, type ChildBundle } from '../util/child-bundle.js';
import { tempStore, type TempStore } from '../core/helpers.js';

let child: ChildBundle;
let t: TempStore;
const MiB = 1024 * 1024;

beforeAll(async () => {
  child = await bundleValidatingChild('test/install/install.child.ts');
  t = tempStore();
}, 120_000);
afterAll(async () => {
  await child?.dispose();
  t?.cleanup();
});

describe('memory', () => {
  it.skipIf(!existsSync('/proc/self/status'))('installing a 96 MiB package adds far less than 96 MiB to the peak RSS [Linux]', async () => {
    const registry = await t.open();
    await registry.publishPackage((await t.pkg('small', '1.0.0')).file);
    const big = randomBytes(96 * MiB);
    await registry.publishPackage((await t.pkg('large', '1.0.0', { files: { 'data/big.bin': big as unknown as string, 'README.md': 'large\n' } })).file);
    await registry.close();
    const r = await runChild(child.file, ['rss', t.store, path.join(t.dir, 'plugins'), 'small', 'large']);
    expect(r.code, r.stderr).toBe(0);
    const { before, after } = JSON.parse(r.stdout) as { before: number; after: number };
    expect(after - before, `peak RSS went from ${before.toFixed(0)} to ${after.toFixed(0)} MB`).toBeLessThan(64);
  }, 120_000);
});
