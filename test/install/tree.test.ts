/**
 * The 200-package tree (fixtures/install-tree.ts): installed into an empty folder, reproduced
 * byte for byte by --frozen in a second one, then upgraded and removed with the lockfile and the
 * folders kept in step at every point.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTreePackage, installTree, type InstallTree, type TreePackage } from '../../fixtures/install-tree.js';
import { contents, expectInStep, installFixture, readLock, type InstallFixture } from './helpers.js';

let f: InstallFixture;
let tree: InstallTree;
let first: string;

async function publish(p: TreePackage): Promise<void> {
  await f.registry.publishPackage((await buildTreePackage(p, f.dir)).file);
}

/** Every package reachable from `roots` by the given dependency maps. */
function closure(roots: readonly string[], deps: ReadonlyMap<string, Record<string, string>>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...Object.keys(deps.get(n) ?? {}));
  }
  return seen;
}

beforeAll(async () => {
  f = await installFixture();
  tree = installTree(200);
  for (const p of tree.packages) await publish(p);
}, 120_000);
afterAll(() => f.close());

describe('a tree of 200 packages with shared dependencies', () => {
  it('installs into an empty folder: every package once, whole, verified, in the lockfile', async () => {
    first = f.folder('first');
    const r = await f.registry.install({ into: first, requirements: tree.roots, fsync: false });
    expect(r.added).toHaveLength(200);
    expect(r.changed.length + r.removed.length + r.repaired.length).toBe(0);
    const lock = readLock(first);
    expect(Object.keys(lock.packages)).toHaveLength(200);
    expect(lock.requirements).toEqual(Object.fromEntries(tree.roots.map((n) => [n, '^1.0.0'])));
    expect(Object.keys(lock.packages)).toEqual([...Object.keys(lock.packages)].sort());
    await expectInStep(f.registry, first);
  }, 60_000);

  it('--frozen reproduces it byte for byte in a second folder, from the lockfile alone', async () => {
    const second = f.folder('second');
    mkdirSync(second);
    copyFileSync(path.join(first, 'pakt-lock.json'), path.join(second, 'pakt-lock.json'));
    const r = await f.registry.install({ into: second, frozen: true, fsync: false });
    expect(r.added).toHaveLength(200);
    const a = contents(first);
    const b = contents(second);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [rel, bytes] of a) expect(b.get(rel)!.equals(bytes), rel).toBe(true);
    // Run again on the complete folder: every folder compared with its archive, nothing changes.
    const again = await f.registry.install({ into: second, frozen: true, fsync: false });
    expect(again).toMatchObject({ added: [], changed: [], removed: [], repaired: [], unchanged: 200 });
  }, 60_000);

  it('upgrade moves what the requirements allow, and the lockfile diff is one line per package moved', async () => {
    const byName = new Map(tree.packages.map((p) => [p.name, p]));
    const leaf = tree.packages.find((p) => p.name === 'leaf-005')!;
    const mid = tree.packages.find((p) => p.name === 'mid-003')!;
    const root = byName.get(tree.roots[0]!)!;
    await publish({ ...leaf, version: '1.1.0' });
    await publish({ ...mid, version: '1.2.0' });
    await publish({ ...root, version: '2.0.0' }); // outside ^1.0.0: upgrade must not take it
    const before = readFileSync(path.join(first, 'pakt-lock.json'), 'utf8').split('\n');
    const r = await f.registry.upgradeInstalled({ into: first, all: true, fsync: false });
    expect(r.changed.map((c) => `${c.name} ${c.from}→${c.to}`).sort()).toEqual(['leaf-005 1.0.0→1.1.0', 'mid-003 1.0.0→1.2.0']);
    expect(r.unchanged).toBe(198);
    const after = readFileSync(path.join(first, 'pakt-lock.json'), 'utf8').split('\n');
    expect(after).toHaveLength(before.length);
    const differing = after.filter((line, i) => line !== before[i]);
    expect(differing).toHaveLength(2);
    expect(differing.every((l) => /"(leaf-005|mid-003)": \{ "version"/.test(l))).toBe(true);
    await expectInStep(f.registry, first);
  }, 60_000);

  it('a new range for a root moves it; remove takes it and what only it needed', async () => {
    const root = tree.roots[0]!;
    const r = await f.registry.install({ into: first, requirements: { [root]: '^2.0.0' }, fsync: false });
    expect(r.changed).toEqual([expect.objectContaining({ name: root, from: '1.0.0', to: '2.0.0' })]);
    expect(readLock(first).requirements[root]).toBe('^2.0.0');
    await expectInStep(f.registry, first);

    const deps = new Map(tree.packages.map((p) => [p.name, p.dependencies]));
    const others = tree.roots.slice(1);
    const expectedGone = [...closure([root], deps)].filter((n) => !closure(others, deps).has(n)).sort();
    expect(expectedGone.length).toBeGreaterThan(1);
    const removed = await f.registry.removeInstalled({ into: first, packages: [root], fsync: false });
    expect(removed.removed.map((p) => p.name).sort()).toEqual(expectedGone);
    expect(Object.keys(readLock(first).packages)).toHaveLength(200 - expectedGone.length);
    await expectInStep(f.registry, first);

    const all = await f.registry.removeInstalled({ into: first, packages: others, fsync: false });
    expect(all.removed).toHaveLength(200 - expectedGone.length);
    expect(readLock(first)).toEqual({ lockfileVersion: 1, requirements: {}, packages: {} });
    await expectInStep(f.registry, first);
  }, 60_000);
});
