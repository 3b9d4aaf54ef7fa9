import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempStore, type TempStore } from '../core/helpers.js';
import { cliRunner } from './helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = tempStore();
  const registry = await t.open();
  for (const [name, version, deps] of [['lib', '1.0.0', {}], ['lib', '1.1.0', {}], ['@acme/app', '1.0.0', { lib: '^1.0.0' }]] as const) {
    await registry.publishPackage((await t.pkg(name, version, { dependencies: deps })).file);
  }
  await registry.close();
});
afterEach(() => t.cleanup());

const pakt = cliRunner({ cwd: () => t.dir, store: () => t.store });

describe('pakt install, list, upgrade, remove', () => {
  it('install --json: what was added, and the recorded requirements', async () => {
    const r = await pakt(['install', '@acme/app', '--into', 'plugins', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      into: path.join(t.dir, 'plugins'),
      lockfile: path.join(t.dir, 'plugins', 'pakt-lock.json'),
      dryRun: false,
      added: [{ name: '@acme/app', version: '1.0.0' }, { name: 'lib', version: '1.1.0' }],
      changed: [],
      removed: [],
      unchanged: 0,
      requirements: { '@acme/app': '^1.0.0' },
    });
    expect(r.json.added[0].digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('install text, then list in text and JSON', async () => {
    const r = await pakt(['install', 'lib@~1.0.0', '--into', 'plugins']);
    expect(r.stdout).toBe('+ lib@1.0.0\nplugins: changed 1 package, 0 unchanged\n');
    const list = await pakt(['list', '--into', 'plugins']);
    expect(list).toMatchObject({ code: 0, stdout: 'lib@1.0.0  (~1.0.0)\nplugins: 1 package\n' });
    const json = await pakt(['list', '--into', 'plugins', '--verify', '--json']);
    expect(json.json).toMatchObject({ ok: true, locked: true, requirements: { lib: '~1.0.0' }, packages: [{ name: 'lib', version: '1.0.0', requirement: '~1.0.0', state: 'ok', problems: [] }] });
  });

  it('list exits 1 and says how to repair when a package folder is missing', async () => {
    await pakt(['install', 'lib', '--into', 'plugins']);
    rmSync(path.join(t.dir, 'plugins', 'lib'), { recursive: true });
    const r = await pakt(['list', '--into', 'plugins']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('lib@1.1.0  (^1.1.0)  MISSING');
    expect(r.stdout).toContain('`pakt install --into plugins --repair`');
    const again = await pakt(['install', '--into', 'plugins']);
    expect(again.stdout).toContain('! lib@1.1.0');
  });

  it('upgrade needs names or --all (exit 2), then upgrades', async () => {
    await pakt(['install', 'lib@1.0.0', '--into', 'plugins']);
    expect((await pakt(['upgrade', '--into', 'plugins'])).code).toBe(2);
    expect((await pakt(['upgrade', 'lib', '--all', '--into', 'plugins'])).code).toBe(2);
    // An exact requirement holds the version.
    expect((await pakt(['upgrade', '--all', '--into', 'plugins', '--json'])).json).toMatchObject({ changed: [], unchanged: 1 });
    // Widened by hand in the lockfile (naming lib in an install would move it at once).
    const lockFile = path.join(t.dir, 'plugins', 'pakt-lock.json');
    writeFileSync(lockFile, readFileSync(lockFile, 'utf8').replace('"lib": "1.0.0"', '"lib": "^1.0.0"'));
    const r = await pakt(['upgrade', 'lib', '--into', 'plugins', '--dry-run']);
    expect(r.stdout).toBe('~ lib 1.0.0 → 1.1.0\nplugins: would change 1 package, 0 unchanged (dry run: nothing was written)\n');
    expect((await pakt(['upgrade', 'lib', '--into', 'plugins', '--json'])).json.changed).toEqual([expect.objectContaining({ name: 'lib', from: '1.0.0', to: '1.1.0' })]);
  });

  it('remove, and its refusals with their codes', async () => {
    await pakt(['install', '@acme/app', '--into', 'plugins']);
    const still = await pakt(['remove', 'lib', '--into', 'plugins']);
    expect(still.code).toBe(1);
    expect(still.stderr).toMatch(/^error\[E_INSTALL_STILL_NEEDED\]: lib is installed as a dependency of @acme\/app@1\.0\.0/);
    const r = await pakt(['remove', '@acme/app', '--into', 'plugins', '--json']);
    expect(r.json.removed.map((p: { name: string }) => p.name)).toEqual(['@acme/app', 'lib']);
    expect((await pakt(['remove', 'lib', '--into', 'plugins'])).stderr).toMatch(/^error\[E_INSTALL_NOT_INSTALLED\]/);
  });

  it('install --frozen reproduces a lockfile in another folder, and fails with E_LOCK_MISMATCH when it cannot', async () => {
    await pakt(['install', '@acme/app', '--into', 'plugins']);
    mkdirSync(path.join(t.dir, 'copy'));
    copyFileSync(path.join(t.dir, 'plugins', 'pakt-lock.json'), path.join(t.dir, 'copy', 'pakt-lock.json'));
    const r = await pakt(['install', '--frozen', '--into', 'copy', '--json']);
    expect(r.json.added).toHaveLength(2);
    const mismatch = await pakt(['install', 'lib@^2.0.0', '--frozen', '--into', 'copy', '--json']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.json.error.code).toBe('E_LOCK_MISMATCH');
    const missing = await pakt(['install', '--frozen', '--into', 'nowhere']);
    expect(missing.stderr).toMatch(/^error\[E_LOCK_MISSING\]/);
  });

  it('every command refuses to run without --into (exit 2)', async () => {
    for (const args of [['install', 'lib'], ['list'], ['remove', 'lib'], ['upgrade', '--all']]) {
      const r = await pakt(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error\[E_USAGE\]: --into <dir> is required/);
    }
  });

  it('list needs no store at all', async () => {
    await pakt(['install', 'lib', '--into', 'plugins']);
    const elsewhere = cliRunner({ cwd: () => t.dir, store: () => path.join(t.dir, 'no-store-here') });
    const r = await elsewhere(['list', '--into', 'plugins']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lib@1.1.0');
  });

  it('--quiet: a real install, upgrade and remove print nothing; a dry run and list still give their answer', async () => {
    const install = await pakt(['install', 'lib@^1.0.0', '--into', 'plugins', '--quiet']);
    expect(install).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await pakt(['list', '--into', 'plugins', '-q'])).stdout).toBe('lib@1.1.0  (^1.0.0)\nplugins: 1 package\n');
    expect((await pakt(['remove', 'lib', '--into', 'plugins', '--dry-run', '-q'])).stdout).toBe('- lib@1.1.0\nplugins: would change 1 package, 0 unchanged (dry run: nothing was written)\n');
    expect((await pakt(['upgrade', '--all', '--into', 'plugins', '-q'])).stdout).toBe('');
    expect((await pakt(['remove', 'lib', '--into', 'plugins', '-q'])).stdout).toBe('');
    expect((await pakt(['list', '--into', 'plugins', '--json'])).json.packages).toEqual([]);
  });

  it('a named package that others still need stays installed, with a warning on stderr (also with --quiet and --json)', async () => {
    await pakt(['install', 'lib', '@acme/app', '--into', 'plugins']);
    const r = await pakt(['remove', 'lib', '--into', 'plugins', '--quiet']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe('warning: lib stays installed: other installed packages depend on it\n');
    const json = await pakt(['install', 'lib', '--into', 'plugins', '--json']);
    expect(json.code).toBe(0);
    const again = await pakt(['remove', 'lib', '--into', 'plugins', '--json']);
    expect(again.json).toMatchObject({ removed: [], stillNeeded: ['lib'] });
    expect(again.stderr).toContain('warning: lib stays installed');
    expect((await pakt(['list', '--into', 'plugins', '--json'])).json.requirements).toEqual({ '@acme/app': '^1.0.0' });
  });

  it('a path with a space is quoted in the repair command list gives', async () => {
    await pakt(['install', 'lib', '--into', 'my plugins']);
    rmSync(path.join(t.dir, 'my plugins', 'lib'), { recursive: true });
    const r = await pakt(['list', '--into', 'my plugins']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("`pakt install --into 'my plugins' --repair`");
  });
});
