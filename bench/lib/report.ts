/**
 * docs/benchmarks.md is assembled from one section per benchmark. Each bench script writes its own
 * section between markers, so running one bench refreshes its figures without touching the others,
 * and `npm run bench` (bench/run-all.ts) refreshes them all.
 */
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..', existsSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../package.json')) ? '' : '..');
export const BENCH_DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
export const SHARED_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data');

const HEADER = `# Benchmarks

Measured by \`npm run bench\` (each section also by its own script, named in it). Every figure is
from one run on the machine named in the section; a bench always measures the simple alternative
in the same run, so the ratio is more telling than the absolute number.
`;

/** One line naming the machine, for each section. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`;
}

/** Replaces (or appends) the section `id` of docs/benchmarks.md with `markdown`. */
export function writeSection(id: string, markdown: string): void {
  mkdirSync(path.dirname(BENCH_DOC), { recursive: true });
  const current = existsSync(BENCH_DOC) ? readFileSync(BENCH_DOC, 'utf8') : HEADER;
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = current.indexOf(start);
  const j = current.indexOf(end);
  const next = i !== -1 && j > i ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCH_DOC, next);
}

/** Percentile of a sorted-or-not sample (nearest rank). */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Markdown table from a header and rows. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Peak resident set size of this process so far, in MB (Linux: VmHWM). */
export function peakRssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss / 2 ** 20;
}
