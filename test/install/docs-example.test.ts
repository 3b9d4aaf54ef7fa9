/** The worked "plugin store" example of docs/install.md is real code: it runs, and does what the page says. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPluginStore } from '../../docs/examples/plugin-store.js';
import { readLock } from './helpers.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('docs/examples/plugin-store.ts', () => {
  it('installs, loads, uses, updates, reloads and removes plugins', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-plugin-store-'));
    const run = await runPluginStore(dir);
    expect(run.counts).toEqual(['6 words', '6 words, 30 characters']);
    expect(run.log.slice(0, 4)).toEqual(['loaded shout@1.0.0, word-count@1.0.0', 'updated word-count 1.0.0 → 1.1.0', 'loaded shout@1.0.0, word-count@1.1.0', 'loaded word-count@1.1.0']);
    expect(run.log).toContain('installed word-count@1.1.0 (was 1.0.0)');
    expect(run.log).toContain('uninstalled shout@1.0.0');
    expect(run.log.filter((l) => l.startsWith('installing '))).toHaveLength(2);
    expect(readLock(path.join(dir, 'plugins'))).toMatchObject({ requirements: { 'word-count': '^1.0.0' }, packages: { 'word-count': { version: '1.1.0' } } });
  });
});
