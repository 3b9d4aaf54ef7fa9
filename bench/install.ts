/**
 * bench/install: installing the 200-package tree (fixtures/install-tree.ts) into an empty folder,
 * against extracting the same 200 archives with no checks at all, measured in the same run:
 *
 *   pakt, cold      `pakt install <roots> --into <dir>` in a new process (start-up, store opened,
 *                   resolution, verified downloads, checked extraction, fsync, lockfile)
 *   pakt, warm      registry.install() in a process that has installed before (the host case)
 *   pakt, warm, no fsync / --frozen   the same without durability, and reproducing the lockfile
 *   unzip           Debian's `unzip -q` once per archive, as a shell loop would
 *   yauzl           a yauzl read stream per entry piped into a file, in process, no checks
 *
 * and one large package (8 files of 32 MiB, half incompressible) installed in a child process,
 * for its peak RSS (streaming) against `unzip` of the same archive. Best of three runs each
 * (two for the large package), every run into a fresh empty folder; the archives are read once
 * beforehand so every contestant finds them in the page cache. Work files live under
 * bench/.work/install and are removed afterwards.
 *
 *   npm run --silent bench:install              full
 *   npm run --silent bench:install -- --quick   one run each, a 64 MiB large package
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { buildTreePackage, installTree } from '../fixtures/install-tree.js';
import { buildPackage } from '../src/package/pack.js';
import { openRegistry } from '../providers/index.js';
import { machineLine, peakRssMb, REPO_ROOT, table, writeSection } from './lib/report.js';

const SELF = fileURLToPath(import.meta.url);
const CLI = path.join(path.dirname(SELF), '..', 'src', 'cli', 'main.js');
const MiB = 1024 * 1024;
const run$ = promisify(execFile);

interface Timed {
  ms: number;
}

async function best(runs: number, once: (i: number) => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await once(i));
  return min;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** The plain alternative: one `unzip` process per archive, each into its package's folder. */
async function unzipAll(archives: ReadonlyArray<{ name: string; file: string }>, into: string): Promise<void> {
  for (const a of archives) {
    const dest = path.join(into, ...a.name.split('/'));
    mkdirSync(dest, { recursive: true });
    await run$('unzip', ['-q', '-o', a.file, '-d', dest]);
  }
}

/** The other plain alternative: yauzl, a read stream per entry into a file; nothing checked, nothing flushed. */
async function yauzlAll(archives: ReadonlyArray<{ name: string; file: string }>, into: string): Promise<void> {
  for (const a of archives) {
    const root = path.join(into, ...a.name.split('/'));
    const zip = await yauzl.openPromise(a.file, { lazyEntries: true });
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const dest = path.join(root, entry.fileName);
        if (entry.fileName.endsWith('/')) {
          mkdirSync(dest, { recursive: true });
          zip.readEntry();
          return;
        }
        mkdirSync(path.dirname(dest), { recursive: true });
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          pipeline(stream, createWriteStream(dest)).then(() => zip.readEntry(), reject);
        });
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  }
}

/** Child: installs `name` into `into` from `store`; prints the time and the peak RSS. */
async function runChild(store: string, into: string, name: string): Promise<void> {
  const registry = await openRegistry({ path: store, create: false, audit: false });
  const t0 = performance.now();
  await registry.install({ into, requirements: [name] });
  const ms = performance.now() - t0;
  await registry.close();
  process.stdout.write(JSON.stringify({ ms, rssMb: peakRssMb() }));
}

function child(store: string, into: string, name: string): Promise<Timed & { rssMb: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SELF, '--child', store, into, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`install child exited with ${code}`))));
  });
}

/** Half incompressible, half text-like. */
function largeFiles(count: number, bytes: number): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) files[`data/blob-${i}.bin`] = randomBytes(bytes);
    else {
      const words = Buffer.from('install registry plugin archive manifest digest stream folder version package '.repeat(Math.ceil(bytes / 80)));
      for (let k = 0; k < words.length; k += 97) words[k] = 48 + ((k * 7 + i) % 10);
      files[`data/text-${i}.txt`] = words.subarray(0, bytes);
    }
  }
  return files;
}

export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const quick = argv.includes('--quick');
  const runs = quick ? 1 : 3;
  const work = path.join(REPO_ROOT, 'bench', '.work', 'install');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'archives'), { recursive: true });
  const load0 = os.loadavg();
  try {
    const tree = installTree(200);
    const archives: Array<{ name: string; file: string }> = [];
    for (const p of tree.packages) archives.push({ name: p.name, file: (await buildTreePackage(p, path.join(work, 'archives'))).file });
    const store = path.join(work, 'store');
    const registry = await openRegistry({ path: store, fsync: false, audit: false });
    for (const a of archives) await registry.publishPackage(a.file);
    let archiveBytes = 0;
    for (const a of archives) archiveBytes += readFileSync(a.file).length; // also: in the page cache for all
    let n = 0;
    const fresh = (label: string) => path.join(work, 'into', `${label}-${++n}`);
    process.stderr.write(`install: 200 packages published (${(archiveBytes / MiB).toFixed(1)} MiB of archives)\n`);

    const cold = await best(runs, () => timed(() => run$(process.execPath, [CLI, '--store', store, 'install', ...tree.roots, '--into', fresh('cold')])));
    process.stderr.write(`install: cold ${cold.toFixed(0)} ms\n`);
    const warmup = fresh('warmup');
    await registry.install({ into: warmup, requirements: tree.roots });
    const warm = await best(runs, () => timed(() => registry.install({ into: fresh('warm'), requirements: tree.roots })));
    const warmNoSync = await best(runs, () => timed(() => registry.install({ into: fresh('nosync'), requirements: tree.roots, fsync: false })));
    const lockfile = readFileSync(path.join(warmup, 'pakt-lock.json'));
    const frozen = await best(runs, () => {
      const dir = fresh('frozen');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'pakt-lock.json'), lockfile);
      return timed(() => registry.install({ into: dir, frozen: true }));
    });
    process.stderr.write(`install: warm ${warm.toFixed(0)} ms, no fsync ${warmNoSync.toFixed(0)} ms, frozen ${frozen.toFixed(0)} ms\n`);
    const unzip = await best(runs, () => timed(() => unzipAll(archives, fresh('unzip'))));
    const plain = await best(runs, () => timed(() => yauzlAll(archives, fresh('yauzl'))));
    process.stderr.write(`install: unzip ${unzip.toFixed(0)} ms, yauzl ${plain.toFixed(0)} ms\n`);

    // One large package, in a child process for its peak RSS.
    const fileBytes = (quick ? 8 : 32) * MiB;
    const large = await buildPackage({ metadata: { name: 'bench-large', version: '1.0.0', description: 'bench/install large package' }, files: largeFiles(8, fileBytes) }, path.join(work, 'large.zip'));
    await registry.publishPackage(large.file);
    await registry.close();
    for await (const _ of createReadStream(large.file, { highWaterMark: 4 * MiB })) {
      // into the page cache
    }
    const largeRuns = quick ? 1 : 2;
    let largeOurs = { ms: Infinity, rssMb: 0 };
    for (let i = 0; i < largeRuns; i++) {
      const r = await child(store, fresh('large'), 'bench-large');
      if (r.ms < largeOurs.ms) largeOurs = r;
      rmSync(path.join(work, 'into'), { recursive: true, force: true });
    }
    const largeUnzip = await best(largeRuns, async () => {
      const dest = fresh('large-unzip');
      mkdirSync(dest, { recursive: true });
      const ms = await timed(() => run$('unzip', ['-q', '-o', large.file, '-d', dest]));
      rmSync(path.join(work, 'into'), { recursive: true, force: true });
      return ms;
    });
    const load1 = os.loadavg();
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const row = (label: string, x: number) => [label, ms(x), (x / unzip).toFixed(2), (x / plain).toFixed(2)];
    const summary = [
      '## Install (`npm run bench:install`)',
      '',
      machineLine(),
      `Load average (1 min) ${load0[0]!.toFixed(2)} at the start, ${load1[0]!.toFixed(2)} at the end.`,
      '',
      `The tree of fixtures/install-tree.ts: 200 packages (10 roots, 60 mid-level packages, 130 leaves, shared dependencies), ${(archiveBytes / MiB).toFixed(1)} MiB of archives with 3 files each, installed by requiring the 10 roots into an empty folder. Best of ${runs} run(s), each into a fresh folder, archives in the page cache. Cold is the CLI in a new process; warm is \`registry.install()\` in a process that has installed before. Pakt resolves, downloads each archive verified into a local copy, checks every entry and every file against its manifest, fsyncs every file and folder (unless noted) and commits under a journal; unzip and yauzl extract the same archives and check nothing.`,
      '',
      table(['contestant', 'wall time', 'time / unzip', 'time / yauzl'], [
        row('pakt install, cold (CLI, new process)', cold),
        row('pakt install, warm', warm),
        row('pakt install, warm, fsync off', warmNoSync),
        row('pakt install --frozen, warm', frozen),
        row('unzip, one process per archive', unzip),
        row('yauzl, no checks, no fsync', plain),
      ]),
      '',
      `One large package, 8 files of ${fileBytes / MiB} MiB (half incompressible, half text-like), a ${(large.size / MiB).toFixed(0)} MiB archive: pakt installs it in ${ms(largeOurs.ms)} in a child process with a peak RSS of **${largeOurs.rssMb.toFixed(0)} MB** (the file data streams through; nothing of it is held); \`unzip\` takes ${ms(largeUnzip)}${quick ? ' (quick run)' : ''}.`,
    ].join('\n');
    writeSection('install', summary);
    process.stderr.write(`${summary}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  runChild(process.argv[childAt + 1]!, process.argv[childAt + 2]!, process.argv[childAt + 3]!).catch((err: unknown) => {
    process.stderr.write(`bench/install child: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exitCode = 1;
  });
} else if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  run().catch((err: unknown) => {
    process.stderr.write(`bench/install: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exitCode = 1;
  });
}
