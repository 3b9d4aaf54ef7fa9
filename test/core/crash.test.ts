/**
 * Crash safety and concurrency with real processes: a child publishing and deleting at random is
 * killed with SIGKILL at random moments, many times; several children publish into one store at
 * once. Afterwards the metadata never points at a missing or corrupt archive, nothing is lost or
 * duplicated, and the only leftovers are unreferenced archives (and temp files) that gc removes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleValidatingChild, REPO_ROOT, runChild, type ChildBundle } from '../util/child-bundle.js';
import { tempStore, type TempStore } from './helpers.js';

let child: ChildBundle;
beforeAll(async () => {
  child = await bundleValidatingChild('test/core/store.child.ts');
}, 120_000);
afterAll(async () => {
  await child?.dispose();
});

/** Runs the loop child until it has started, lets it work `ms`, then SIGKILLs it. */
function killAfter(file: string, args: string[], ms: number): Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [file, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (timer === undefined && stdout.includes('"started"')) timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    });
    proc.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, signal, code });
    });
  });
}

describe('crash safety', () => {
  let t: TempStore;
  beforeAll(() => {
    t = tempStore();
  });
  afterAll(() => t.cleanup());

  /** Builds name@version as `<name>--<version>.zip` (the loop child reads the name from it). */
  async function loopFile(name: string, version: string, files: Record<string, string>): Promise<string> {
    const p = await t.pkg(name, version, { files });
    const named = path.join(t.dir, `${name}--${version}.zip`);
    renameSync(p.file, named);
    return named;
  }

  /**
   * Runs the publish/delete loop on `files` and SIGKILLs it after a random delay, round after
   * round (bounded in count and time, for CI); after every kill the metadata points at no
   * missing or corrupt archive, and at the end gc leaves no orphan and no temp file.
   */
  async function killRounds(files: string[], o: { maxRounds: number; minRounds: number; minDelayMs: number; spreadMs: number }): Promise<void> {
    const started = Date.now();
    let rounds = 0;
    while (rounds < o.maxRounds && Date.now() - started < 25_000) {
      rounds += 1;
      const outcome = await killAfter(child.file, ['loop', t.store, ...files], o.minDelayMs + Math.floor(Math.random() * o.spreadMs));
      expect(outcome.stdout, 'the loop met an unexpected error').not.toContain('unexpected');
      expect(outcome.signal).toBe('SIGKILL');
      const registry = await t.open();
      const v = await registry.verify();
      expect(v.missing, `round ${rounds}`).toEqual([]);
      expect(v.corrupt, `round ${rounds}`).toEqual([]);
      await registry.close();
    }
    expect(rounds).toBeGreaterThanOrEqual(o.minRounds);
    const registry = await t.open();
    await registry.gc();
    expect(await registry.verify()).toMatchObject({ ok: true, orphans: { count: 0, bytes: 0 } });
    await registry.close();
    const tmp = path.join(t.store, 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  }

  it('SIGKILL at random moments of publish/delete loops never leaves metadata pointing at a missing or corrupt archive', async () => {
    const files: string[] = [];
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
        // Bigger files make the window between "archive stored" and "row inserted" worth hitting.
        files.push(await loopFile(name, version, { 'data.bin': `${name}${version}`.repeat(20_000), 'README.md': name }));
      }
    }
    const init = await t.open({ fsync: true });
    await init.close();
    // Enough kills to land in every step, short enough for CI.
    await killRounds(files, { maxRounds: 40, minRounds: 10, minDelayMs: 20, spreadMs: 250 });
  }, 90_000);

  it('SIGKILL during large publishes (copied on a worker while validated) leaves only temp files and unreferenced archives', async () => {
    const files: string[] = [];
    for (const version of ['1.0.0', '2.0.0']) {
      // Past PARALLEL_HASH_BYTES (32 MiB): the background-copy route, worker and waiting reads.
      files.push(await loopFile('large', version, { 'data.bin': randomBytes(33 * 1024 * 1024).toString('latin1') }));
    }
    await killRounds(files, { maxRounds: 8, minRounds: 4, minDelayMs: 30, spreadMs: 400 });
  }, 120_000);
});

describe('concurrency', () => {
  let t: TempStore;
  beforeAll(() => {
    t = tempStore();
  });
  afterAll(() => t.cleanup());

  it('several processes publishing the same and different versions: none lost, none duplicated, no lock error', async () => {
    const WORKERS = 4;
    const shared: string[] = [];
    for (let i = 0; i < 8; i++) shared.push((await t.pkg('shared', `1.0.${i}`)).file);
    const perWorker: string[][] = [];
    for (let w = 0; w < WORKERS; w++) {
      const own: string[] = [];
      for (let i = 0; i < 8; i++) own.push((await t.pkg(`own-${w}`, `1.0.${i}`)).file);
      // The same name@version with different bytes in every worker: exactly one may win.
      const contested = (await t.pkg('contested', '1.0.0', { description: `from worker ${w}` })).file;
      const mine = [...shared, ...own, contested];
      // Interleave differently per worker so they collide at different points.
      perWorker.push(w % 2 === 0 ? mine : mine.reverse());
    }
    const init = await t.open({ fsync: true });
    await init.close();
    const results = await Promise.all(perWorker.map((list) => runChild(child.file, ['publish', t.store, ...list])));
    const outcomes = results.flatMap((r) => r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ok: boolean; code?: string; name?: string; version?: string; status?: string; file: string }));
    expect(outcomes).toHaveLength(WORKERS * 17);
    const failures = outcomes.filter((o) => !o.ok);
    // The only failures are the contested losers, with the immutability code.
    expect(failures.map((f) => f.code)).toEqual(Array(WORKERS - 1).fill('E_VERSION_EXISTS'));
    const published = outcomes.filter((o) => o.ok && o.status === 'published').map((o) => `${o.name}@${o.version}`);
    // Each shared version was published by exactly one process; the others saw it unchanged.
    expect(published.filter((p) => p.startsWith('shared@')).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `shared@1.0.${i}`).sort());
    expect(published.filter((p) => p === 'contested@1.0.0')).toHaveLength(1);
    const registry = await t.open();
    expect((await registry.listVersions('shared')).versions).toHaveLength(8);
    for (let w = 0; w < WORKERS; w++) expect((await registry.listVersions(`own-${w}`)).versions).toHaveLength(8);
    expect((await registry.listVersions('contested')).versions).toHaveLength(1);
    const v = await registry.verify();
    expect(v).toMatchObject({ ok: true, checked: 8 + WORKERS * 8 + 1, orphans: { count: 0 } });
    await registry.close();
  }, 90_000);
});
