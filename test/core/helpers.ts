/**
 * Shared set-up for core tests: real providers (SQLite file, fs-cas store, zip validator) in a
 * temp folder, and packages built with the format module's buildPackage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PackageMetadata } from '../../src/contracts/index.js';
import { buildPackage, type PackResult } from '../../src/package/pack.js';
import { openRegistry, type OpenRegistryOptions } from '../../providers/index.js';
import type { CoreRegistryManager } from '../../src/core/registry-manager.js';

export interface TempStore {
  dir: string;
  store: string;
  /** Builds a small valid package into the temp folder. */
  pkg(name: string, version: string, extra?: Partial<PackageMetadata> & { files?: Record<string, string> }): Promise<PackResult>;
  open(options?: Partial<OpenRegistryOptions>): Promise<CoreRegistryManager>;
  cleanup(): void;
}

let counter = 0;

export function tempStore(): TempStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-core-'));
  const store = path.join(dir, 'store');
  return {
    dir,
    store,
    async pkg(name, version, extra = {}) {
      const { files, ...meta } = extra;
      counter += 1;
      const file = path.join(dir, `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}-${counter}.zip`);
      return buildPackage(
        { metadata: { name, version, description: `the ${name} package`, ...meta }, files: files ?? { 'README.md': `# ${name} ${version}\n`, 'lib/index.js': `export const v = '${version}';\n` } },
        file,
      );
    },
    open(options = {}) {
      return openRegistry({ path: store, fsync: false, actor: 'tester', ...options });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
