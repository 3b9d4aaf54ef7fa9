/**
 * Crash safety of install, upgrade and remove with real processes: a child doing them at random
 * is killed with SIGKILL at random moments, round after round. After every kill, before any
 * recovery: every package folder in the install folder is whole (exactly the files of a version
 * the lockfile or the interrupted commit's journal names), and nothing else is there but the
 * lockfile and pakt's working area. After the next operation (which recovers): the folder holds
 * exactly the lockfile's packages, each byte for byte, and the working area is gone.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleValidatingChild, REPO_ROOT, type ChildBundle } from '../util/child-bundle.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { contents, packageFolders } from './helpers.js';

/** Packages the flip child moves all at once, so that every commit holds this many renames. */
const FLIP = 30;
let child: ChildBundle;
let t: TempStore;
/** name@version → the files its folder must hold (its content files, metadata.json, manifest.json). */
const expected = new Map<string, Map<string, Buffer>>();

beforeAll(async () => {
  child = await bundleValidatingChild('test/install/install.child.ts');
  t = tempStore();
  const registry = await t.open();
  const versions: Array<[string, string, Record<string, string>, boolean | 'small']> = [
    ['lib-x', '1.0.0', {}, false],
    ['lib-x', '1.1.0', {}, true],
    ['lib-x', '2.0.0', {}, false],
    ['@s/util', '1.0.0', {}, false],
    ['@s/util', '1.1.0', {}, true],
    ['app-a', '1.0.0', { 'lib-x': '^1.0.0' }, false],
    ['app-a', '1.1.0', { 'lib-x': '^1.1.0' }, true],
    ['app-a', '2.0.0', { 'lib-x': '^2.0.0', '@s/util': '^1.0.0' }, false],
    ['app-b', '1.0.0', { 'lib-x': '^1.0.0 || ^2.0.0' }, false],
    ['app-b', '2.0.0', { '@s/util': '^1.1.0' }, true],
  ];
  for (let i = 0; i < FLIP; i++) for (const v of ['1.0.0', '2.0.0']) versions.push([`flip-${i}`, v, {}, 'small']);
  for (const [name, version, dependencies, large] of versions) {
    // Files large enough that kills land inside extraction, one past the in-memory size (streamed).
    const files: Record<string, string> = {
      'README.md': `# ${name} ${version}\n`,
      'lib/index.js': `export const v = '${version}';\n`,
      ...(large === 'small' ? {} : { 'data/a.bin': randomBytes(200_000).toString('base64'), 'data/b.bin': randomBytes(150_000).toString('base64') }),
      ...(large === true ? { 'data/large.bin': randomBytes(1_200_000).toString('base64') } : {}),
    };
    const p = await t.pkg(name, version, { dependencies, files });
    await registry.publishPackage(p.file);
    const bytes = new Map<string, Buffer>(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
    // metadata.json and manifest.json as the archive holds them, read back from a real install below.
    expected.set(`${name}@${version}`, bytes);
  }
  await registry.close();
}, 120_000);
afterAll(async () => {
  await child?.dispose();
  t?.cleanup();
});

/** Kills the child `delayMs` after it starts, or (`onJournal`) that long after a commit's journal appears in `into`. */
function killAfter(args: string[], delayMs: number, onJournal?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child.file, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer !== undefined || !out.includes('"started"')) return;
      if (!onJournal) {
        timer = setTimeout(() => proc.kill('SIGKILL'), delayMs);
        return;
      }
      const journal = path.join(onJournal, '.pakt-install', 'journal.json');
      const deadline = Date.now() + 20_000;
      timer = setInterval(() => {
        if (!existsSync(journal) && Date.now() < deadline) return;
        clearInterval(timer);
        setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }, 1);
    });
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', () => {
      clearInterval(timer);
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** The versions a lockfile text names, by package. */
function lockedVersions(text: string | null | undefined): Map<string, string> {
  if (!text) return new Map();
  const lock = JSON.parse(text) as { packages: Record<string, { version: string }> };
  return new Map(Object.entries(lock.packages).map(([n, p]) => [n, p.version]));
}

/** The folder holds exactly the files of name@version (documents compared as JSON). */
function expectWhole(folder: string, name: string, version: string, label: string): void {
  const want = expected.get(`${name}@${version}`);
  expect(want, `${label}: ${name}@${version} is a version that exists`).toBeDefined();
  const got = contents(folder);
  const docs = ['manifest.json', 'metadata.json'];
  expect([...got.keys()].sort(), `${label}: files of ${name}@${version}`).toEqual([...want!.keys(), ...docs].sort());
  for (const [rel, bytes] of want!) expect(got.get(rel)!.equals(bytes), `${label}: ${name}/${rel}`).toBe(true);
  const manifest = JSON.parse(got.get('manifest.json')!.toString()) as { name: string; version: string };
  expect([manifest.name, manifest.version]).toEqual([name, version]);
}


/**
 * The checks after one kill (see the module comment), then the recovery by the next operation.
 * Returns whether the kill left anything to recover.
 */
async function checkRound(into: string, label: string): Promise<{ leftovers: boolean; journal: boolean }> {
  // Before any recovery.
  const work = path.join(into, '.pakt-install');
  const journalFile = path.join(work, 'journal.json');
  const journal = existsSync(journalFile) ? (JSON.parse(readFileSync(journalFile, 'utf8')) as { fromText: string | null; toText: string | null }) : undefined;
  const leftovers = existsSync(work) && readdirSync(work).length > 0;
  const lockFile = path.join(into, 'pakt-lock.json');
  const lockNow = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : null;
  const allowed = [lockedVersions(lockNow), lockedVersions(journal?.fromText), lockedVersions(journal?.toText)];
  for (const entry of readdirSync(into)) {
    if (entry === 'pakt-lock.json' || entry === '.pakt-install' || entry.startsWith('@')) continue;
    expect(packageFolders(into), `${label}: '${entry}' is a package folder`).toContain(entry);
  }
  for (const name of packageFolders(into)) {
    const folder = path.join(into, ...name.split('/'));
    const version = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')).version as string;
    expect(allowed.some((m) => m.get(name) === version), `${label}: ${name}@${version} is named by the lockfile or the journal`).toBe(true);
    expectWhole(folder, name, version, `${label} (before recovery)`);
  }

  // The next run recovers; then the folder is exactly the lockfile.
  const registry = await t.open();
  try {
    const list = await registry.listInstalled({ into, verify: true });
    expect(list.packages.filter((p) => p.state !== 'ok'), label).toEqual([]);
  } finally {
    await registry.close();
  }
  expect(existsSync(work), `${label}: the working area was swept`).toBe(false);
  const locked = lockedVersions(existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : null);
  expect(packageFolders(into), label).toEqual([...locked.keys()].sort());
  for (const [name, version] of locked) expectWhole(path.join(into, ...name.split('/')), name, version, `${label} (after recovery)`);
  expect(readdirSync(into).filter((e) => e !== 'pakt-lock.json' && !e.startsWith('@') && !locked.has(e)), label).toEqual([]);
  return { leftovers, journal: journal !== undefined };
}

describe('install crash safety', () => {
  it('SIGKILL at random moments of install, upgrade and remove (at least 30 rounds) never leaves a partial folder or a lockfile out of step', async () => {
    const into = path.join(t.dir, 'plugins');
    const started = Date.now();
    let rounds = 0;
    let interrupted = 0;
    while (rounds < 40 && (rounds < 30 || Date.now() - started < 45_000)) {
      rounds += 1;
      const label = `round ${rounds}`;
      const out = await killAfter(['loop', t.store, into, String(rounds * 7919)], 50 + Math.floor(Math.random() * 900));
      expect(out, `${label}: the loop met an unexpected error`).not.toContain('unexpected');
      if (!existsSync(into)) continue;

      if ((await checkRound(into, label)).leftovers) interrupted += 1;
    }
    expect(rounds).toBeGreaterThanOrEqual(30);
    // The kills did land inside operations (leftovers to recover), not only between them.
    expect(interrupted).toBeGreaterThan(0);
  }, 240_000);

  it('SIGKILL inside commits (after the journal is written, while folders are being swapped) is rolled back by the next run', async () => {
    const into = path.join(t.dir, 'flipping');
    let rounds = 0;
    let journals = 0;
    const started = Date.now();
    while (rounds < 30 && (rounds < 12 || Date.now() - started < 30_000)) {
      rounds += 1;
      const label = `flip round ${rounds}`;
      const out = await killAfter(['flip', t.store, into, String(FLIP)], Math.floor(Math.random() * 40), into);
      expect(out, `${label}: the loop met an unexpected error`).not.toContain('unexpected');
      if (!existsSync(into)) continue;
      if ((await checkRound(into, label)).journal) journals += 1;
    }
    expect(rounds).toBeGreaterThanOrEqual(12);
    // Most kills hit a commit in progress; the test is about exactly those.
    expect(journals).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('two processes working on one folder at once take turns; killed together at random, the folder is still whole', async () => {
    const into = path.join(t.dir, 'shared');
    let finished = 0;
    for (let round = 1; round <= 8; round++) {
      const delay = 300 + Math.floor(Math.random() * 1500);
      const outs = await Promise.all([killAfter(['loop', t.store, into, String(round * 31)], delay), killAfter(['loop', t.store, into, String(round * 37 + 5)], delay)]);
      for (const out of outs) expect(out, `round ${round}: the loop met an unexpected error`).not.toContain('unexpected');
      finished += outs.join('').split('"done"').length - 1;
      if (existsSync(into)) await checkRound(into, `shared round ${round}`);
    }
    expect(finished, 'operations that completed while the other process was working too').toBeGreaterThan(0);
  }, 240_000);
});
