/**
 * Set-up for install tests: a real store (SQLite, fs-cas) in a temp folder, packages built with
 * the format module and published, install folders beside it, and checks of a folder's state.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { tempStore, type TempStore } from '../core/helpers.js';

export interface InstallFixture extends TempStore {
  registry: CoreRegistryManager;
  /** Builds and publishes name@version with these dependencies (and files). */
  publish(name: string, version: string, deps?: Record<string, string>, files?: Record<string, string>): Promise<void>;
  /** A fresh folder path under the temp folder (not created). */
  folder(label: string): string;
  close(): Promise<void>;
}

export async function installFixture(): Promise<InstallFixture> {
  const t = tempStore();
  const registry = await t.open();
  let n = 0;
  return {
    ...t,
    registry,
    async publish(name, version, deps = {}, files) {
      const p = await t.pkg(name, version, { dependencies: deps, ...(files ? { files } : {}) });
      await registry.publishPackage(p.file);
    },
    folder(label) {
      n += 1;
      return path.join(t.dir, `${label}-${n}`);
    },
    async close() {
      await registry.close();
      t.cleanup();
    },
  };
}

/** Every entry under `root`, '/'-separated, sorted (folders end in '/'). */
export function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(`${child}/`);
        walk(child);
      } else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Every file's bytes under `root`, by relative path. */
export function contents(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const rel of tree(root)) if (!rel.endsWith('/') && statSync(path.join(root, rel)).isFile()) out.set(rel, readFileSync(path.join(root, rel)));
  return out;
}

export function readLock(into: string): { lockfileVersion: number; requirements: Record<string, string>; packages: Record<string, { version: string; digest: string }> } {
  return JSON.parse(readFileSync(path.join(into, 'pakt-lock.json'), 'utf8'));
}

/** The top-level package folders (scoped ones as '@scope/name'), sorted. */
export function packageFolders(into: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(into, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) for (const s of readdirSync(path.join(into, e.name))) out.push(`${e.name}/${s}`);
    else out.push(e.name);
  }
  return out.sort();
}

/** The folder holds exactly the lockfile's packages, each verified, and nothing else. */
export async function expectInStep(registry: CoreRegistryManager, into: string): Promise<void> {
  const list = await registry.listInstalled({ into, verify: true });
  expect(list.packages.filter((p) => p.state !== 'ok')).toEqual([]);
  expect(packageFolders(into)).toEqual(Object.keys(readLock(into).packages).sort());
  const top = readdirSync(into).filter((e) => !e.startsWith('@') && !Object.hasOwn(readLock(into).packages, e));
  expect(top).toEqual(['pakt-lock.json']);
}
