/**
 * bench/hostile: what validating an archive built to be expensive costs, against what it cost
 * without the bound on the archive's total expansion (limits.maxTotalCompressionRatio), in the
 * same run.
 *
 * 1. 8,000 zero-filled entries of 1 MiB - 1 (each just under the per-entry ratio exemption):
 *    7.8 GiB from a 9 MB archive. Refused from its central directory now; inflated whole with the
 *    bound switched off (what validation did before the bound).
 * 2. The worst archive the bound still admits: zero-filled entries plus stored random padding,
 *    just under 100:1 overall: inflated whole, its cost per MB of archive.
 *
 *   npm run --silent bench:hostile
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exemptEntryFlood } from '../fixtures/floods.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { validateArchiveFile } from '../src/package/validate-archive.js';
import { machineLine, REPO_ROOT, table, writeSection } from './lib/report.js';

const MiB = 1024 * 1024;

interface Timed {
  wallMs: number;
  cpuMs: number;
  verdict: string;
}

async function timeValidation(file: string, limits: Parameters<typeof validateArchiveFile>[1] = {}): Promise<Timed> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const report = await validateArchiveFile(file, limits);
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const verdict = report.valid ? 'valid' : report.errors.map((e) => e.code).join(', ');
  return { wallMs, cpuMs: (used.user + used.system) / 1000, verdict };
}

export async function run(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!;
  const work = path.join(REPO_ROOT, 'bench', '.work', 'hostile');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // A warm-up on a small flood compiles the schemas and the JIT, as a running host has.
    const warm = path.join(work, 'warm.zip');
    writeFileSync(warm, exemptEntryFlood({ count: 10 }));
    await timeValidation(warm);

    const flood = exemptEntryFlood();
    const floodFile = path.join(work, 'flood.zip');
    writeFileSync(floodFile, flood);
    const bounded = await timeValidation(floodFile);
    const unbounded = await timeValidation(floodFile, { limits: { maxTotalCompressionRatio: Number.MAX_SAFE_INTEGER } });

    // Just under the bound: n MiB of zeros in about n KiB, padded with stored random bytes.
    const count = 900;
    const unpacked = count * (MiB - 1);
    const padding = Math.ceil(unpacked / (DEFAULT_LIMITS.maxTotalCompressionRatio - 1));
    const edge = exemptEntryFlood({ count, paddingBytes: padding });
    const edgeFile = path.join(work, 'edge.zip');
    writeFileSync(edgeFile, edge);
    const admitted = await timeValidation(edgeFile);

    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const rows: string[][] = [
      [`8,000 entries of 1 MiB − 1 zeros: ${mb(flood.length)} MB archive, 7.8 GiB unpacked`, 'bound on (default 100:1)', bounded.verdict, s(bounded.wallMs), s(bounded.cpuMs)],
      ['same archive', 'bound off (as before it)', unbounded.verdict, s(unbounded.wallMs), s(unbounded.cpuMs)],
      [`${count} entries of zeros + ${mb(padding)} MB stored padding: ${mb(edge.length)} MB archive, ${(unpacked / 2 ** 30).toFixed(2)} GiB unpacked`, 'bound on: just under it, admitted', admitted.verdict, s(admitted.wallMs), `${s(admitted.cpuMs)} (${(admitted.cpuMs / (edge.length / 1e6)).toFixed(0)} ms per MB of archive)`],
    ];
    const summary = table(['archive', 'limits', 'verdict', 'wall', 'CPU'], rows);
    process.stderr.write(`${summary}\n`);
    writeSection(
      'hostile',
      `## Hostile archives: the cost of a verdict (\`npm run bench:hostile\`)

${machineLine()} Load average when the run started: ${loadAtStart.toFixed(1)} on ${os.cpus().length} cores.

${summary}

Each entry of the first archive stays under the per-entry ratio exemption (entries under 1 MiB
may compress as well as they like), so only a bound on the archive as a whole stops it:
\`limits.maxTotalCompressionRatio\` (default 100:1, for archives that unpack to 64 MiB or more,
\`limits.totalCompressionRatioExemptBytes\`) refuses it with \`E_PKG_COMPRESSION_RATIO\` from the
declared sizes in the central directory, before any entry is inflated; the declared sizes are
held to while inflating, so the bound holds for the real bytes too. The second row is the same
validation with the bound switched off, as it ran before the bound existed. The third is the
most an archive can cost and still pass: everything it declares is inflated and hashed, about
100 times its own size, so the cost grows with the bytes a client must upload. In-process,
\`validateArchiveFile\` on a file in the page cache, after a warm-up validation.`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  run().catch((err: unknown) => {
    process.stderr.write(`bench/hostile: ${String(err instanceof Error ? err.stack : err)}\n`);
    process.exitCode = 1;
  });
}
