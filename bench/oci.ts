/**
 * bench/oci: the OCI registry storage against pushing the same bytes with skopeo to the same
 * registry (the overhead of Pakt's OCI layer), and against fs-cas, in one run.
 *
 * A CNCF distribution registry (Debian's docker-registry) is started on 127.0.0.1 with a temp
 * data folder; every measurement writes to fresh repositories, so nothing is deduplicated.
 *
 * 1. Small archives (20 KiB): put (putBytes, as publish stores them) and get (a verified read to
 *    the end), archives/s with p50/p95, through the provider, through fs-cas, and through skopeo
 *    (one `skopeo copy` per archive: the process start is part of what a skopeo user pays).
 * 2. One large archive (1 GiB; 64 MiB with --quick): put (from a file, chunked) and get, MB/s,
 *    through the provider, skopeo (dir: → docker:// and back) and fs-cas; with the peak RSS of
 *    this process, which must stay far below the archive's size.
 *
 *   npm run --silent bench:oci             full size
 *   npm run --silent bench:oci -- --quick  a smoke run
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createFsStorage } from '../providers/storage/fs-cas.js';
import { createOciStorage, type OciStorage } from '../providers/storage/oci/index.js';
import { EMPTY_CONFIG_BYTES, EMPTY_CONFIG_DIGEST, packageManifest } from '../providers/storage/oci/artifact-manifest.js';
import type { BlobOwner, Digest, StorageProvider } from '../src/contracts/index.js';
import { createDigestHash, digestFromHash, digestHex, digestOfBytes } from '../src/util/digest.js';
import { startRegistry, registryUnavailable, type RegistryServer } from '../test/providers/storage/oci/registry-server.js';
import { machineLine, peakRssMb, percentile, REPO_ROOT, table, writeSection } from './lib/report.js';

const exec = promisify(execFile);
const MiB = 1024 * 1024;
const SKOPEO = '/usr/bin/skopeo';

interface Sizes {
  small: number;
  skopeoSmall: number;
  largeBytes: number;
}

interface Rate {
  perSecond: number;
  p50: number;
  p95: number;
}

function rate(latencies: number[], elapsedMs: number): Rate {
  return { perSecond: (latencies.length / elapsedMs) * 1000, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function timed<T>(items: readonly T[], fn: (item: T, i: number) => Promise<void>): Promise<Rate> {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    const s = performance.now();
    await fn(items[i]!, i);
    latencies.push(performance.now() - s);
  }
  return rate(latencies, performance.now() - t0);
}

async function drain(storage: StorageProvider, digest: Digest, owner: BlobOwner): Promise<number> {
  let n = 0;
  for await (const c of await storage.get(digest, owner)) n += (c as Buffer).length;
  return n;
}

/** A skopeo `dir:` image holding one archive as Pakt's artifact (the same manifest bytes Pakt writes). */
function dirImage(folder: string, owner: BlobOwner, archive: string, digest: Digest, size: number): void {
  mkdirSync(folder, { recursive: true });
  const manifest = packageManifest(owner, { digest, size });
  writeFileSync(path.join(folder, 'manifest.json'), manifest.bytes);
  writeFileSync(path.join(folder, 'version'), 'Directory Transport Version: 1.1\n');
  writeFileSync(path.join(folder, digestHex(EMPTY_CONFIG_DIGEST)), EMPTY_CONFIG_BYTES);
  copyFileSync(archive, path.join(folder, digestHex(digest)));
}

async function skopeoCopy(from: string, to: string): Promise<void> {
  await exec(SKOPEO, ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', from, to], { maxBuffer: 16 * MiB });
}

async function writeRandomFile(file: string, bytes: number): Promise<Digest> {
  const hash = createDigestHash();
  const out = createWriteStream(file);
  for (let left = bytes; left > 0; left -= 4 * MiB) {
    const chunk = randomBytes(Math.min(4 * MiB, left));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return digestFromHash(hash);
}

interface Figures {
  small: { oci: { put: Rate; get: Rate }; fs: { put: Rate; get: Rate }; skopeo: { put: Rate; get: Rate } };
  large: { bytes: number; oci: { put: number; get: number }; skopeo: { put: number; get: number }; fs: { put: number; get: number }; rssMb: number };
  requestsPerSmallPut: number;
}

async function measure(server: RegistryServer, work: string, sizes: Sizes): Promise<Figures> {
  const smalls = Array.from({ length: sizes.small }, () => randomBytes(20 * 1024));
  const owners = smalls.map((_, i) => ({ name: `bench-${i}`, version: '1.0.0' }));
  const digests = smalls.map((b) => digestOfBytes(b));

  const oci: OciStorage = createOciStorage({ url: server.url('bench-small'), credentials: 'anonymous' });
  // One untimed put first: connections, the empty config blob's first upload.
  await oci.putBytes(digestOfBytes('warm-up'), Buffer.from('warm-up'), { name: 'warm', version: '1.0.0' });
  const before = oci.counters().requests;
  const ociPut = await timed(smalls, (b, i) => oci.putBytes(digests[i]!, b, owners[i]!));
  const requestsPerSmallPut = (oci.counters().requests - before) / smalls.length;
  const ociGet = await timed(smalls, async (_b, i) => void (await drain(oci, digests[i]!, owners[i]!)));

  const fs = createFsStorage({ root: path.join(work, 'fs-small'), fsync: true });
  const fsPut = await timed(smalls, (b, i) => fs.putBytes!(digests[i]!, b));
  const fsGet = await timed(smalls, async (_b, i) => void (await drain(fs, digests[i]!, owners[i]!)));
  await fs.close?.();

  const skopeoItems = smalls.slice(0, sizes.skopeoSmall);
  const dirs = skopeoItems.map((b, i) => {
    const file = path.join(work, `small-${i}.zip`);
    writeFileSync(file, b);
    const folder = path.join(work, `skopeo-small-${i}`);
    dirImage(folder, owners[i]!, file, digests[i]!, b.length);
    return folder;
  });
  const skopeoPut = await timed(dirs, (folder, i) => skopeoCopy(`dir:${folder}`, `docker://${server.host}/bench-skopeo-small/bench-${i}:1.0.0`));
  const skopeoGet = await timed(dirs, (_f, i) => skopeoCopy(`docker://${server.host}/bench-skopeo-small/bench-${i}:1.0.0`, `dir:${path.join(work, `skopeo-small-back-${i}`)}`));

  // Large.
  const large = path.join(work, 'large.zip');
  const largeDigest = await writeRandomFile(large, sizes.largeBytes);
  const owner = { name: 'bench-large', version: '1.0.0' };
  const mbs = (ms: number): number => sizes.largeBytes / MiB / (ms / 1000);

  let t0 = performance.now();
  const ociLarge = createOciStorage({ url: server.url('bench-large'), credentials: 'anonymous' });
  await ociLarge.put(largeDigest, sizes.largeBytes, large, owner);
  const ociLargePut = mbs(performance.now() - t0);
  t0 = performance.now();
  if ((await drain(ociLarge, largeDigest, owner)) !== sizes.largeBytes) throw new Error('short read');
  const ociLargeGet = mbs(performance.now() - t0);
  ociLarge.close();
  oci.close();

  const largeDir = path.join(work, 'skopeo-large');
  dirImage(largeDir, owner, large, largeDigest, sizes.largeBytes);
  t0 = performance.now();
  await skopeoCopy(`dir:${largeDir}`, `docker://${server.host}/bench-skopeo-large/bench-large:1.0.0`);
  const skopeoLargePut = mbs(performance.now() - t0);
  rmSync(largeDir, { recursive: true, force: true });
  t0 = performance.now();
  await skopeoCopy(`docker://${server.host}/bench-skopeo-large/bench-large:1.0.0`, `dir:${largeDir}`);
  const skopeoLargeGet = mbs(performance.now() - t0);
  rmSync(largeDir, { recursive: true, force: true });

  const fsLarge = createFsStorage({ root: path.join(work, 'fs-large'), fsync: true });
  // fs-cas takes the file from its own temp folder by renaming it: the copy there is not timed.
  const staged = path.join(fsLarge.tempDir!, 'large');
  mkdirSync(fsLarge.tempDir!, { recursive: true });
  copyFileSync(large, staged);
  t0 = performance.now();
  await fsLarge.put(largeDigest, sizes.largeBytes, staged);
  const fsLargePut = mbs(performance.now() - t0);
  t0 = performance.now();
  await drain(fsLarge, largeDigest, owner);
  const fsLargeGet = mbs(performance.now() - t0);
  await fsLarge.close?.();

  return {
    small: { oci: { put: ociPut, get: ociGet }, fs: { put: fsPut, get: fsGet }, skopeo: { put: skopeoPut, get: skopeoGet } },
    large: { bytes: sizes.largeBytes, oci: { put: ociLargePut, get: ociLargeGet }, skopeo: { put: skopeoLargePut, get: skopeoLargeGet }, fs: { put: fsLargePut, get: fsLargeGet }, rssMb: peakRssMb() },
    requestsPerSmallPut,
  };
}

function report(f: Figures, sizes: Sizes, load: string, quick: boolean): string {
  const r = (x: Rate): string[] => [x.perSecond.toFixed(0), x.p50.toFixed(1), x.p95.toFixed(1)];
  const gib = f.large.bytes >= 1024 * MiB ? `${(f.large.bytes / 1024 / MiB).toFixed(0)} GiB` : `${(f.large.bytes / MiB).toFixed(0)} MiB`;
  return [
    '## OCI registry storage (`npm run bench:oci`)',
    '',
    machineLine(),
    `Load average at the start: ${load}.${quick ? ' **Quick run** (smaller sizes): a smoke test, not figures to quote.' : ''}`,
    'Registry: Debian\'s docker-registry 2.8 (CNCF distribution) on 127.0.0.1, filesystem storage on the same disk, no auth.',
    '',
    `### Small archives (20 KiB, ${sizes.small} each; skopeo ${sizes.skopeoSmall})`,
    '',
    table(['store', 'put /s', 'put p50 ms', 'put p95 ms', 'get /s', 'get p50 ms', 'get p95 ms'], [
      ['OCI storage (putBytes, verified get)', ...r(f.small.oci.put), ...r(f.small.oci.get)],
      ['skopeo copy, one process per archive', ...r(f.small.skopeo.put), ...r(f.small.skopeo.get)],
      ['fs-cas (fsync on)', ...r(f.small.fs.put), ...r(f.small.fs.get)],
    ]),
    '',
    `A small put through the OCI storage makes ${f.requestsPerSmallPut.toFixed(1)} HTTP requests (tag lookup and blob HEAD together, then the blob's POST + PUT beside the quarantine-record HEAD and, in a new repository, the mount of the empty config blob, then the manifest PUT and the tag check); a get makes 2 (manifest, blob). Against a registry on the same two loaded cores the registry's own work dominates: figures to compare within the run, not absolute.`,
    '',
    `### One large archive (${gib}, random bytes)`,
    '',
    table(['store', 'put MB/s', 'get MB/s'], [
      ['OCI storage (chunked put from the file, verified get)', f.large.oci.put.toFixed(0), f.large.oci.get.toFixed(0)],
      ['skopeo copy dir: ⇄ docker://', f.large.skopeo.put.toFixed(0), f.large.skopeo.get.toFixed(0)],
      ['fs-cas (put = rename + fsync of a file already in its temp folder)', f.large.fs.put.toFixed(0), f.large.fs.get.toFixed(0)],
    ]),
    '',
    `Ratio OCI storage / skopeo: put ${(f.large.oci.put / f.large.skopeo.put).toFixed(2)}, get ${(f.large.oci.get / f.large.skopeo.get).toFixed(2)} (the overhead of Pakt's OCI layer over a plain OCI client on the same registry). Peak RSS of the bench process through all of it: ${f.large.rssMb.toFixed(0)} MB, for a ${gib} archive streamed both ways.`,
  ].join('\n');
}

export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const quick = argv.includes('--quick');
  const why = registryUnavailable();
  if (why !== undefined || !existsSync(SKOPEO)) throw new Error(`bench:oci needs docker-registry and skopeo (apt-get install -y docker-registry skopeo): ${why ?? 'skopeo is missing'}`);
  const sizes: Sizes = quick ? { small: 50, skopeoSmall: 10, largeBytes: 64 * MiB } : { small: 500, skopeoSmall: 50, largeBytes: 1024 * MiB };
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  const work = path.join(REPO_ROOT, 'bench', '.work', 'oci');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const server = await startRegistry();
  try {
    const figures = await measure(server, work, sizes);
    const markdown = report(figures, sizes, load, quick);
    process.stdout.write(`${markdown}\n`);
    writeSection('oci', markdown);
  } finally {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run().catch((err: unknown) => {
    process.stderr.write(`bench:oci: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
