/**
 * install, --frozen, upgrade, remove and list through the registry: what each records, what it
 * refuses (with which code) and that a refusal changes nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../providers/storage/fs-cas-layout.js';
import type { InstallProgress } from '../../src/install/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { contents, expectInStep, installFixture, readLock, tree, type InstallFixture } from './helpers.js';

let f: InstallFixture;
let into: string;
beforeEach(async () => {
  f = await installFixture();
  into = f.folder('plugins');
});
afterEach(() => f.close());

const lockText = () => readFileSync(path.join(into, 'pakt-lock.json'), 'utf8');

describe('install', () => {
  it('writes each package to <into>/<name>/ (scoped as @scope/name) and a stable, sorted lockfile', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('lib', '1.4.2');
    await f.publish('@acme/tool', '0.3.0', { lib: '^1.0.0' });
    await f.publish('app', '2.1.0', { '@acme/tool': '~0.3.0', lib: '>=1.2.0,<2.0.0' });
    const r = await f.registry.install({ into, requirements: { app: 'latest', lib: '^1.0.0' } });
    expect(r.added.map((a) => `${a.name}@${a.version}`)).toEqual(['@acme/tool@0.3.0', 'app@2.1.0', 'lib@1.4.2']);
    const d = (name: string) => f.registry.getPackageInfo(name).then((i) => i.digest);
    expect(lockText()).toBe(
      [
        '{',
        '  "lockfileVersion": 1,',
        '  "requirements": {',
        '    "app": "^2.1.0",',
        '    "lib": "^1.0.0"',
        '  },',
        '  "packages": {',
        `    "@acme/tool": { "version": "0.3.0", "digest": "${await d('@acme/tool')}" },`,
        `    "app": { "version": "2.1.0", "digest": "${await d('app')}" },`,
        `    "lib": { "version": "1.4.2", "digest": "${await d('lib')}" }`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(tree(path.join(into, '@acme', 'tool'))).toEqual(['README.md', 'lib/', 'lib/index.js', 'manifest.json', 'metadata.json']);
    expect(readFileSync(path.join(into, 'lib', 'lib', 'index.js'), 'utf8')).toBe("export const v = '1.4.2';\n");
    // The working area is gone once the operation is done.
    expect(existsSync(path.join(into, '.pakt-install'))).toBe(false);
    await expectInStep(f.registry, into);
  });

  it('a second identical install changes nothing and writes nothing', async () => {
    await f.publish('lib', '1.0.0');
    await f.registry.install({ into, requirements: ['lib'] });
    const before = statSync(path.join(into, 'pakt-lock.json')).mtimeMs;
    const text = lockText();
    const again = await f.registry.install({ into, requirements: ['lib@^1.0.0'] });
    expect(again).toMatchObject({ added: [], changed: [], removed: [], repaired: [], unchanged: 1 });
    expect(again.steps.find((s) => s.step === 'commit')).toMatchObject({ moves: 0, lockfile: 'unchanged' });
    expect(lockText()).toBe(text);
    expect(statSync(path.join(into, 'pakt-lock.json')).mtimeMs).toBe(before);
  });

  it('reports progress by phase and emits installed/uninstalled after the commit', async () => {
    await f.publish('a', '1.0.0', { b: '^1.0.0' });
    await f.publish('b', '1.0.0');
    const seen: InstallProgress[] = [];
    const events: string[] = [];
    f.registry.on('installed', (e) => events.push(`installed ${e.name}@${e.version}${e.previous ? ` from ${e.previous}` : ''} ${existsSync(e.path) && existsSync(path.join(into, 'pakt-lock.json')) ? 'present' : 'absent'}`));
    f.registry.on('uninstalled', (e) => events.push(`uninstalled ${e.name}@${e.version}`));
    await f.registry.install({ into, requirements: ['a'], onProgress: (p) => seen.push(p) });
    expect([...new Set(seen.map((p) => p.phase))]).toEqual(['resolve', 'fetch', 'extract', 'commit']);
    const fetches = seen.filter((p) => p.phase === 'fetch');
    expect(fetches.map((p) => p.done)).toEqual([1, 2]);
    expect(fetches.every((p) => p.total === 2 && typeof p.name === 'string')).toBe(true);
    await f.publish('a', '1.1.0');
    await f.registry.upgradeInstalled({ into, packages: ['a'] });
    await f.registry.removeInstalled({ into, packages: ['a'] });
    expect(events.sort()).toEqual(['installed a@1.0.0 present', 'installed a@1.1.0 from 1.0.0 present', 'installed b@1.0.0 present', 'uninstalled a@1.1.0', 'uninstalled b@1.0.0'].sort());
  });

  it('dryRun says what would change and writes nothing', async () => {
    await f.publish('lib', '1.0.0');
    mkdirSync(into);
    const r = await f.registry.install({ into, requirements: ['lib'], dryRun: true });
    expect(r).toMatchObject({ dryRun: true, added: [{ name: 'lib', version: '1.0.0' }] });
    expect(tree(into)).toEqual([]);
  });

  it('repairs a package folder that went missing; with repair, one whose files changed', async () => {
    await f.publish('a', '1.0.0');
    await f.publish('b', '1.0.0');
    await f.registry.install({ into, requirements: ['a', 'b'] });
    const good = contents(into);
    rmSync(path.join(into, 'a'), { recursive: true });
    writeFileSync(path.join(into, 'b', 'README.md'), 'changed by hand');
    const listed = await f.registry.listInstalled({ into, verify: true });
    expect(listed.packages.map((p) => `${p.name} ${p.state}`)).toEqual(['a missing', 'b mismatch']);
    expect(listed.packages[1]!.problems[0]).toMatch(/'README.md' was changed/);
    const plain = await f.registry.install({ into });
    expect(plain.repaired.map((p) => p.name)).toEqual(['a']);
    const repair = await f.registry.install({ into, repair: true });
    expect(repair.repaired.map((p) => p.name)).toEqual(['b']);
    expect(contents(into)).toEqual(good);
  });

  it('refuses to replace a folder it did not install (E_INSTALL_FOLDER_OCCUPIED)', async () => {
    await f.publish('lib', '1.0.0');
    mkdirSync(path.join(into, 'lib'), { recursive: true });
    writeFileSync(path.join(into, 'lib', 'mine.txt'), 'the host put this here');
    await expectCode(() => f.registry.install({ into, requirements: ['lib'] }), 'E_INSTALL_FOLDER_OCCUPIED');
    expect(tree(into)).toEqual(['lib/', 'lib/mine.txt']);
  });

  it('a failed first install leaves no folder behind', async () => {
    await expectCode(() => f.registry.install({ into, requirements: ['absent'] }), 'E_UNSATISFIABLE');
    expect(existsSync(into)).toBe(false);
    await f.publish('lib', '1.0.0');
    await f.registry.install({ into, requirements: ['lib'], dryRun: true });
    expect(existsSync(into)).toBe(false);
  });

  it('an unsatisfiable request changes nothing (E_UNSATISFIABLE)', async () => {
    await f.publish('lib', '1.0.0');
    await f.registry.install({ into, requirements: ['lib'] });
    const before = contents(into);
    await expectCode(() => f.registry.install({ into, requirements: { lib: '^2.0.0' } }), 'E_UNSATISFIABLE');
    expect(contents(into)).toEqual(before);
  });

  it('with nothing to install and no lockfile, says so (E_LOCK_MISSING)', async () => {
    await expectCode(() => f.registry.install({ into }), 'E_LOCK_MISSING');
  });

  it('refuses an archive whose bytes were changed in the store before extracting anything (E_STORE_INTEGRITY)', async () => {
    await f.publish('lib', '1.0.0');
    const info = await f.registry.getPackageInfo('lib', '1.0.0');
    const blob = blobPath(f.store, info.digest);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
    writeFileSync(blob, bytes);
    const phases: string[] = [];
    const err = await expectCode(() => f.registry.install({ into, requirements: ['lib'], onProgress: (p) => phases.push(p.phase) }), 'E_STORE_INTEGRITY');
    expect(err.details['step']).toBe('fetch');
    expect(phases).not.toContain('extract');
    expect(existsSync(into)).toBe(false);
  });
});

describe('upgrade', () => {
  it('moves only the named package while the others can stay', async () => {
    await f.publish('a', '1.0.0');
    await f.publish('b', '1.0.0');
    await f.registry.install({ into, requirements: ['a', 'b'] });
    await f.publish('a', '1.1.0');
    await f.publish('b', '1.1.0');
    const r = await f.registry.upgradeInstalled({ into, packages: ['a'] });
    expect(r.changed).toEqual([expect.objectContaining({ name: 'a', from: '1.0.0', to: '1.1.0' })]);
    expect(readLock(into).packages['b']!.version).toBe('1.0.0');
    expect(readLock(into).requirements).toEqual({ a: '^1.0.0', b: '^1.0.0' });
    await expectInStep(f.registry, into);
  });

  it('moves a locked dependency too when the new version needs it', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app'] });
    await f.publish('lib', '1.1.0');
    await f.publish('app', '1.1.0', { lib: '^1.1.0' });
    const r = await f.registry.upgradeInstalled({ into, packages: ['app'] });
    expect(r.changed.map((c) => `${c.name}@${c.to}`).sort()).toEqual(['app@1.1.0', 'lib@1.1.0']);
    await expectInStep(f.registry, into);
  });

  it('all: every package as far as its requirement allows, and no further', async () => {
    await f.publish('a', '1.0.0');
    await f.registry.install({ into, requirements: { a: '~1.0.0' } });
    await f.publish('a', '1.0.5');
    await f.publish('a', '1.1.0');
    await f.publish('a', '2.0.0');
    const r = await f.registry.upgradeInstalled({ into, all: true });
    expect(r.changed).toEqual([expect.objectContaining({ name: 'a', to: '1.0.5' })]);
  });

  it('refuses a package that is not installed, and a folder with no lockfile', async () => {
    await f.publish('a', '1.0.0');
    await expectCode(() => f.registry.upgradeInstalled({ into, all: true }), 'E_LOCK_MISSING');
    await f.registry.install({ into, requirements: ['a'] });
    await expectCode(() => f.registry.upgradeInstalled({ into, packages: ['nope'] }), 'E_INSTALL_NOT_INSTALLED');
    await expectCode(() => f.registry.upgradeInstalled({ into }), 'E_INVALID_ARGUMENT');
  });

  it('works from a bare lockfile (no requirements recorded): the roots are inferred at ^<locked>', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app'] });
    const lock = readLock(into);
    writeFileSync(path.join(into, 'pakt-lock.json'), JSON.stringify({ lockfileVersion: 1, packages: lock.packages }));
    await f.publish('app', '1.2.0', { lib: '^1.0.0' });
    await f.publish('app', '2.0.0', { lib: '^1.0.0' });
    const r = await f.registry.upgradeInstalled({ into, all: true });
    expect(r.changed).toEqual([expect.objectContaining({ name: 'app', to: '1.2.0' })]);
    expect(readLock(into).requirements).toEqual({ app: '^1.0.0' });
  });
});

describe('remove', () => {
  it('keeps a removed requirement that another still needs, and says so', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app', 'lib'] });
    const r = await f.registry.removeInstalled({ into, packages: ['lib'] });
    expect(r).toMatchObject({ removed: [], stillNeeded: ['lib'], requirements: { app: '^1.0.0' } });
    expect(Object.keys(readLock(into).packages)).toEqual(['app', 'lib']);
    const all = await f.registry.removeInstalled({ into, packages: ['app'] });
    expect(all.removed.map((p) => p.name)).toEqual(['app', 'lib']);
    await expectInStep(f.registry, into);
  });

  it('refuses a package installed only as a dependency (E_INSTALL_STILL_NEEDED), and one not installed', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app'] });
    const err = await expectCode(() => f.registry.removeInstalled({ into, packages: ['lib'] }), 'E_INSTALL_STILL_NEEDED');
    expect(err.details['dependents']).toEqual(['app@1.0.0']);
    await expectCode(() => f.registry.removeInstalled({ into, packages: ['other'] }), 'E_INSTALL_NOT_INSTALLED');
    await expectCode(() => f.registry.removeInstalled({ into: f.folder('none'), packages: ['lib'] }), 'E_LOCK_MISSING');
  });

  it('works when the store no longer has the installed version (dependencies read from the folder)', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app'] });
    await f.registry.deletePackage('app');
    const r = await f.registry.removeInstalled({ into, packages: ['app'] });
    expect(r.removed.map((p) => p.name)).toEqual(['app', 'lib']);
  });
});

describe('--frozen', () => {
  async function installed(): Promise<void> {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    await f.registry.install({ into, requirements: ['app'] });
  }

  it('needs a lockfile (E_LOCK_MISSING)', async () => {
    await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISSING');
    mkdirSync(into);
    await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISSING');
  });

  it('fails when the store lacks a locked version, or has other bytes for it, and changes nothing', async () => {
    await installed();
    const text = lockText();
    writeFileSync(path.join(into, 'pakt-lock.json'), text.replace('"version": "1.0.0", "digest"', '"version": "1.0.9", "digest"'));
    await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
    const lib = await f.registry.getPackageInfo('lib');
    const other = text.replace(lib.digest, `sha256:${'0'.repeat(64)}`);
    writeFileSync(path.join(into, 'pakt-lock.json'), other);
    const err = await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
    expect(err.message).toMatch(/Wanted: sha256:0{64}\n {2}Found: {2}sha256:/);
    // Without --frozen too: a locked version's bytes never change silently.
    await expectCode(() => f.registry.install({ into }), 'E_LOCK_MISMATCH');
    expect(lockText()).toBe(other);
  });

  it('fails on a lockfile that is not a whole tree, or on requirements it does not record', async () => {
    await installed();
    const lock = readLock(into);
    writeFileSync(path.join(into, 'pakt-lock.json'), JSON.stringify({ lockfileVersion: 1, requirements: lock.requirements, packages: { app: lock.packages['app'] } }));
    const err = await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
    expect(err.message).toMatch(/depends on lib \^1\.0\.0, which .* does not name/);
    writeFileSync(path.join(into, 'pakt-lock.json'), JSON.stringify(lock));
    await expectCode(() => f.registry.install({ into, frozen: true, requirements: ['app@^2.0.0'] }), 'E_LOCK_MISMATCH');
    await expectCode(() => f.registry.install({ into, frozen: true, requirements: ['lib'] }), 'E_LOCK_MISMATCH');
    expect((await f.registry.install({ into, frozen: true, requirements: ['app'] })).unchanged).toBe(2);
  });

  it('fails when a folder holds another version or changed files, and leaves it as it is', async () => {
    await installed();
    writeFileSync(path.join(into, 'lib', 'lib', 'index.js'), 'tampered');
    const err = await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
    expect(err.message).toMatch(/'lib\/index\.js' was changed/);
    expect(readFileSync(path.join(into, 'lib', 'lib', 'index.js'), 'utf8')).toBe('tampered');
    writeFileSync(path.join(into, 'lib', 'extra.txt'), 'added');
    writeFileSync(path.join(into, 'lib', 'lib', 'index.js'), "export const v = '1.0.0';\n");
    await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
    rmSync(path.join(into, 'lib', 'extra.txt'));
    const m = JSON.parse(readFileSync(path.join(into, 'app', 'manifest.json'), 'utf8'));
    writeFileSync(path.join(into, 'app', 'manifest.json'), JSON.stringify({ ...m, version: '0.9.0' }));
    await expectCode(() => f.registry.install({ into, frozen: true }), 'E_LOCK_MISMATCH');
  });

  it('never writes the lockfile, even one in the bare SPEC form', async () => {
    await installed();
    const lock = readLock(into);
    const bare = JSON.stringify({ lockfileVersion: 1, packages: lock.packages });
    const second = f.folder('second');
    mkdirSync(second);
    writeFileSync(path.join(second, 'pakt-lock.json'), bare);
    const r = await f.registry.install({ into: second, frozen: true });
    expect(r.added.map((a) => a.name)).toEqual(['app', 'lib']);
    expect(readFileSync(path.join(second, 'pakt-lock.json'), 'utf8')).toBe(bare);
  });
});

describe('the folder lock', () => {
  it('installs running at once into one folder take turns, and both land', async () => {
    await f.publish('a', '1.0.0');
    await f.publish('b', '1.0.0');
    await Promise.all([f.registry.install({ into, requirements: ['a'] }), f.registry.install({ into, requirements: ['b'] })]);
    expect(readLock(into).requirements).toEqual({ a: '^1.0.0', b: '^1.0.0' });
    await expectInStep(f.registry, into);
  });

  it('waits for a live holder and gives up with E_INSTALL_BUSY; takes over the lock of a dead one', async () => {
    await f.publish('a', '1.0.0');
    mkdirSync(path.join(into, '.pakt-install'), { recursive: true });
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    const lock = (pid: number) => JSON.stringify({ pid, host: os.hostname(), nonce: 'n'.repeat(24), since: new Date().toISOString() });
    try {
      writeFileSync(path.join(into, '.pakt-install', 'lock'), lock(holder.pid!));
      const err = await expectCode(() => f.registry.install({ into, requirements: ['a'], lockTimeoutMs: 300 }), 'E_INSTALL_BUSY');
      expect(err.message).toContain(`process ${holder.pid}`);
      expect(existsSync(path.join(into, 'a'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    const r = await f.registry.install({ into, requirements: ['a'], lockTimeoutMs: 5000 });
    expect(r.added).toHaveLength(1);
    expect(existsSync(path.join(into, '.pakt-install'))).toBe(false);
  });
});

describe('listInstalled', () => {
  it('lists packages with their requirements, and an empty folder as nothing installed', async () => {
    await f.publish('lib', '1.0.0');
    await f.publish('app', '1.0.0', { lib: '^1.0.0' });
    mkdirSync(into);
    expect(await f.registry.listInstalled(into)).toMatchObject({ locked: false, packages: [], ok: true });
    await f.registry.install({ into, requirements: ['app'] });
    const list = await f.registry.listInstalled(into);
    expect(list.packages.map((p) => [p.name, p.version, p.requirement, p.state])).toEqual([
      ['app', '1.0.0', '^1.0.0', 'ok'],
      ['lib', '1.0.0', undefined, 'ok'],
    ]);
    await expectCode(() => f.registry.listInstalled(f.folder('absent')), 'E_INPUT_NOT_FOUND');
  });

  it.skipIf(process.getuid?.() !== 0)('reads a read-only folder without its lock [needs root for a read-only bind mount]', async () => {
    await f.publish('lib', '1.0.0');
    await f.registry.install({ into, requirements: ['lib'] });
    execFileSync('mount', ['--bind', into, into]);
    try {
      execFileSync('mount', ['-o', 'remount,ro,bind', into]);
      const list = await f.registry.listInstalled({ into, verify: true });
      expect(list).toMatchObject({ ok: true, packages: [{ name: 'lib', state: 'ok' }] });
      await expectCode(() => f.registry.install({ into, requirements: ['lib@^1.0.0'], repair: true }), 'E_IO');
    } finally {
      execFileSync('umount', [into]);
    }
  });

  it('refuses a lockfile it cannot read (E_LOCK_INVALID), naming the place', async () => {
    mkdirSync(into);
    writeFileSync(path.join(into, 'pakt-lock.json'), '{\n<<<<<<< HEAD\n  "lockfileVersion": 1\n=======\n>>>>>>> other\n}\n');
    const err = await expectCode(() => f.registry.listInstalled(into), 'E_LOCK_INVALID');
    expect(err.message).toContain('pakt-lock.json');
    await expectCode(() => f.registry.install({ into, requirements: ['x'] }), 'E_LOCK_INVALID');
  });
});
