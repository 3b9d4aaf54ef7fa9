/**
 * bench/upstream: what reading through an upstream costs, measured in the same run:
 *
 *   local read           download (verified, consumed) of an exact version from a plain store
 *   pull-through hit     the same read from a store with an upstream, of a version pulled through
 *                        before (the adapter's presence check and cache-mark lookup added)
 *   miss, HTTP upstream  the first read of a version the store lacks, from a Pakt-protocol server on
 *                        127.0.0.1 (version list, archive fetched and digest-checked, published here)
 *   miss, disk upstream  the same from a store folder
 *
 * Packages are ~18 KB. Reads alternate between contestants so that load on the machine hits all
 * of them alike. Work files under bench/.work/upstream, removed afterwards.
 *
 *   npm run --silent bench:upstream              40 packages, 2,000 hit reads each
 *   npm run --silent bench:upstream -- --quick   20 packages, 400 hit reads each
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRegistry } from '../providers/index.js';
import { buildPackage } from '../src/package/pack.js';
import { startFaultServer } from '../test/helpers/fault-server.js';
import { machineLine, percentile, REPO_ROOT, table, writeSection } from './lib/report.js';

async function consume(stream: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

export async function run(argv: readonly string[] = []): Promise<void> {
  const quick = argv.includes('--quick');
  const packages = quick ? 20 : 40;
  const reads = quick ? 400 : 2_000;
  const work = path.join(REPO_ROOT, 'bench', '.work', 'upstream');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const load0 = os.loadavg()[0]!;
  try {
    const upstreamDir = path.join(work, 'upstream');
    const up = await openRegistry({ path: upstreamDir, fsync: false, audit: false, upstreams: [] });
    const names: string[] = [];
    for (let i = 0; i < packages; i++) {
      const name = `bench-up-${i}`;
      const file = path.join(work, `${name}.zip`);
      // ~18 KB: half random (incompressible), half text.
      await buildPackage({ metadata: { name, version: '1.0.0', description: 'an upstream bench package' }, files: { 'data.bin': randomBytes(9_000), 'README.md': 'text '.repeat(1_800) } }, file);
      await up.publishPackage(file);
      names.push(name);
    }
    await up.close();
    const server = await startFaultServer(upstreamDir);

    // Misses: each package read once through a fresh store, over HTTP and from disk.
    const missHttp: number[] = [];
    const missDisk: number[] = [];
    const viaHttpDir = path.join(work, 'via-http');
    const viaDiskDir = path.join(work, 'via-disk');
    const viaHttp = await openRegistry({ path: viaHttpDir, fsync: false, upstreams: [server.url] });
    const viaDisk = await openRegistry({ path: viaDiskDir, fsync: false, upstreams: [upstreamDir] });
    for (const name of names) {
      let t = performance.now();
      await consume(await viaHttp.downloadPackage(name, '1.0.0'));
      missHttp.push(performance.now() - t);
      t = performance.now();
      await consume(await viaDisk.downloadPackage(name, '1.0.0'));
      missDisk.push(performance.now() - t);
    }
    const requestsPerMiss = server.requests / packages;
    await viaDisk.close();

    // Hits against plain local reads of the same store's archives.
    const plain = await openRegistry({ path: viaHttpDir, fsync: false, upstreams: [] });
    const hit: number[] = [];
    const local: number[] = [];
    const before = server.requests;
    for (let i = 0; i < reads; i++) {
      const name = names[i % names.length]!;
      let t = performance.now();
      await consume(await plain.downloadPackage(name, '1.0.0'));
      local.push(performance.now() - t);
      t = performance.now();
      await consume(await viaHttp.downloadPackage(name, '1.0.0'));
      hit.push(performance.now() - t);
    }
    const hitRequests = server.requests - before;
    await plain.close();
    await viaHttp.close();
    await server.close();
    const load1 = os.loadavg()[0]!;

    const row = (label: string, sample: number[]) => [label, sample.length, `${percentile(sample, 50).toFixed(3)} ms`, `${percentile(sample, 95).toFixed(3)} ms`];
    const added50 = percentile(hit, 50) - percentile(local, 50);
    const added95 = percentile(hit, 95) - percentile(local, 95);
    const summary = [
      '## Upstreams and the pull-through cache (`npm run bench:upstream`)',
      '',
      machineLine(),
      `Load average (1 min) ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end${Math.max(load0, load1) > 1.5 ? ': the machine was loaded by other work, so absolute times are inflated' : ''}; the hit and local reads alternate, so their difference is fair.`,
      '',
      `${packages} packages of ~18 KB on an upstream; a read is \`downloadPackage(name, "1.0.0")\` consumed to the end (verified against its digest). ${quick ? 'Quick mode. ' : ''}Command: \`npm run --silent bench:upstream${quick ? ' -- --quick' : ''}\`.`,
      '',
      table(['read', 'count', 'p50', 'p95'], [
        row('local read (plain store)', local),
        row('pull-through cache hit', hit),
        row('miss, HTTP upstream on 127.0.0.1', missHttp),
        row('miss, store folder upstream', missDisk),
      ]),
      '',
      `A cache hit adds **${added50.toFixed(3)} ms** at p50 (${added95.toFixed(3)} ms at p95) over a local read (goal ≤ 1 ms: ${added50 <= 1 ? 'met' : 'not met'}), and made ${hitRequests} network requests in ${reads} reads. A miss over HTTP took ${requestsPerMiss.toFixed(1)} requests per package (the version list, then the remote client's info and archive requests; the version list is then cached for its TTL).`,
    ].join('\n');
    writeSection('upstream', summary);
    process.stderr.write(`${summary}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench/upstream: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exitCode = 1;
  });
}
