/**
 * Search benchmark (SPEC §6, issue #5):
 *
 *   npm run --silent bench:search -- --corpus <jsonl.gz> --queries <jsonl> --out <jsonl>
 *
 * Builds the default (indexed) search provider from the corpus documents (downloads included),
 * warms it up with 120 queries made from the corpus (bench/lib/search-warmup.ts, untimed), runs
 * every query once against the built index, writes one line per query
 * `{"q","results":[...],"ms"}` to --out, and prints to stderr top-1, recall@5 and p50/p95/p99 per
 * query kind, the build time and the index memory — with, measured in the same run, plain fuse.js
 * on a 60-query sample and SQLite FTS5 (trigram) on every query.
 *
 * Extra flags: --fuse-sample <n> (size of the fuse.js sample, default 60; 0 skips it),
 * --no-fts5, --fuse-provider (also run this project's fuse provider on the sample),
 * --alternatives (also measure the candidate generators not chosen: bench/lib/search-alternatives.ts),
 * --open-path (also time the rebuild at open from a SQLite store of the corpus: bench/lib/search-open.ts).
 * With no arguments (and from `npm run bench`), run() uses ../shared/data/search and updates
 * the `search` section of docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createFuseSearch } from '../providers/search/fuse.js';
import { createIndexedSearch } from '../providers/search/indexed.js';
import type { SearchDocument, SearchProvider } from '../src/contracts/search.js';
import { machineLine, SHARED_DATA, writeSection } from './lib/report.js';
import { measureDeletionIndex, runTrigramAlternative } from './lib/search-alternatives.js';
import { runFts5, runPlainFuse } from './lib/search-baselines.js';
import { measureOpenRebuild } from './lib/search-open.js';
import { readCorpus, readQueries, sampleByKind, type BenchQuery } from './lib/search-data.js';
import { figuresByKind, figuresTable, type QueryRun } from './lib/search-eval.js';
import { warmUpQueries } from './lib/search-warmup.js';

const RESULTS_PER_QUERY = 10;

interface SearchBenchOptions {
  corpus: string;
  queries: string;
  out?: string | undefined;
  fuseSample: number;
  fts5: boolean;
  fuseProvider: boolean;
  /** Also measure the candidate generators not chosen (trigram filter, deletion index). */
  alternatives: boolean;
  /** Also measure the rebuild at open from a SQLite metadata store holding the corpus. */
  openPath: boolean;
}

/** A full collection when the runtime allows it, so the memory figure is the index, not garbage. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  gc?.();
}

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

async function runProvider(provider: SearchProvider, queries: readonly BenchQuery[]): Promise<QueryRun[]> {
  const runs: QueryRun[] = [];
  for (const query of queries) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const result = await provider.search(query.q, { limit: RESULTS_PER_QUERY });
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    runs.push({ query, results: result.items.map((i) => i.name), ms, cpuMs: (used.user + used.system) / 1000 });
  }
  return runs;
}

/** Wall time, and CPU time of this process (user + system, all threads), of one build. */
async function build(provider: SearchProvider, docs: readonly SearchDocument[]): Promise<{ ms: number; cpuMs: number; mb: number }> {
  collect();
  const before = heapMb();
  const cpu = process.cpuUsage();
  const t = performance.now();
  await provider.rebuild(docs);
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  collect();
  return { ms, cpuMs: (used.user + used.system) / 1000, mb: heapMb() - before };
}

export async function benchSearch(opts: SearchBenchOptions): Promise<string> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const docs = await readCorpus(opts.corpus);
  const queries = readQueries(opts.queries);
  log(`search bench: ${docs.length} packages, ${queries.length} queries`);

  const indexed = createIndexedSearch();
  const built = await build(indexed, docs);
  log(`indexed: built in ${built.ms.toFixed(0)} ms (CPU ${built.cpuMs.toFixed(0)} ms), index ${built.mb.toFixed(0)} MB`);
  // One untimed query first, so the first timed one does not pay for lazy compilation.
  for (const q of warmUpQueries(docs)) await indexed.search(q, { limit: RESULTS_PER_QUERY });
  const runs = await runProvider(indexed, queries);
  if (opts.out !== undefined) writeFileSync(opts.out, runs.map((r) => JSON.stringify({ q: r.query.q, results: r.results, ms: Number(r.ms.toFixed(3)) })).join('\n') + '\n');
  const sections: string[] = [figuresTable('indexed (default)', figuresByKind(runs))];
  const notes: string[] = [
    `indexed: build ${(built.ms / 1000).toFixed(2)} s (CPU ${(built.cpuMs / 1000).toFixed(2)} s) from ${docs.length} documents, index ${built.mb.toFixed(0)} MB (heap + array buffers after GC); load average at the end ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.`,
  ];
  log(sections[0]!);

  const sample = sampleByKind(queries, opts.fuseSample);
  if (opts.fuseProvider && sample.length > 0) {
    const fuse = createFuseSearch();
    const fb = await build(fuse, docs);
    await fuse.search(warmUpQueries(docs, 1)[0]!);
    const fuseRuns = await runProvider(fuse, sample);
    const t = figuresTable(`fuse provider (${sample.length}-query sample)`, figuresByKind(fuseRuns));
    sections.push(t);
    notes.push(`fuse provider: build ${(fb.ms / 1000).toFixed(2)} s.`);
    log(t);
  }
  if (opts.fts5) {
    const fts = runFts5(docs, queries);
    const t = figuresTable('SQLite FTS5 trigram', figuresByKind(fts.runs));
    sections.push(t);
    notes.push(`FTS5: build ${(fts.buildMs / 1000).toFixed(2)} s.`);
    log(t);
  }
  if (sample.length > 0) {
    const plain = runPlainFuse(docs, sample);
    const t = figuresTable(`plain fuse.js (${sample.length}-query sample)`, figuresByKind(plain.runs));
    sections.push(t);
    notes.push(`plain fuse.js: build ${(plain.buildMs / 1000).toFixed(2)} s.`);
    log(t);
  }
  if (opts.alternatives) {
    const oneWord = queries.filter((q) => !q.q.trim().includes(' '));
    const tri = runTrigramAlternative(docs, oneWord, collect);
    const t = figuresTable('alternative: trigram filter + verify (one-word queries)', figuresByKind(tri.runs));
    sections.push(t);
    notes.push(`trigram alternative: build ${(tri.buildMs / 1000).toFixed(2)} s, ${tri.mb.toFixed(0)} MB (names only).`);
    log(t);
    const del = measureDeletionIndex(docs, collect);
    notes.push(`deletion index: 1 deletion ${del.keys1} keys, build ${(del.buildMs1 / 1000).toFixed(2)} s, ${del.mb1.toFixed(0)} MB; 2 deletions would store ${(del.keys2 / 1e6).toFixed(1)} M (name, key) pairs.`);
  }
  if (opts.openPath) {
    const open = await measureOpenRebuild(docs);
    notes.push(`rebuild at open (SQLite metadata → allSearchDocuments → indexed.rebuild): ${(open.rebuildMs / 1000).toFixed(2)} s (CPU ${(open.rebuildCpuMs / 1000).toFixed(2)} s) for ${open.indexed} packages, of which reading the documents from SQLite alone ${(open.readMs / 1000).toFixed(2)} s (filling the store first took ${(open.fillMs / 1000).toFixed(0)} s, untimed).`);
  }
  for (const n of notes) log(n);
  return [
    `### Search (\`npm run bench:search\`)`,
    '',
    machineLine(),
    `Corpus: ${path.basename(opts.corpus)} (${docs.length} packages); queries: ${path.basename(opts.queries)} (${queries.length}). One query at a time, index already built, ${RESULTS_PER_QUERY} results per query. Goals (issue #5): p95 ≤ 10 ms, p99 ≤ 20 ms, top-1 ≥ 0.92, recall@5 ≥ 0.97, build ≤ 5 s and ≤ 400 MB.`,
    '',
    sections.join('\n\n'),
    '',
    notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n');
}

export async function run(): Promise<void> {
  const dir = path.join(SHARED_DATA, 'search');
  const markdown = await benchSearch({
    corpus: path.join(dir, 'corpus.jsonl.gz'),
    queries: path.join(dir, 'queries-dev.jsonl'),
    fuseSample: 60,
    fts5: true,
    fuseProvider: false,
    alternatives: false,
    openPath: false,
  });
  writeSection('search', markdown);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      queries: { type: 'string' },
      out: { type: 'string' },
      'fuse-sample': { type: 'string' },
      'no-fts5': { type: 'boolean' },
      'fuse-provider': { type: 'boolean' },
      alternatives: { type: 'boolean' },
      'open-path': { type: 'boolean' },
    },
  });
  if (values.corpus === undefined && values.queries === undefined) return run();
  if (values.corpus === undefined || values.queries === undefined) {
    process.stderr.write('usage: bench:search -- --corpus <jsonl.gz> --queries <jsonl> --out <jsonl> [--fuse-sample n] [--no-fts5] [--fuse-provider] [--alternatives] [--open-path]\n');
    process.exitCode = 2;
    return;
  }
  await benchSearch({
    corpus: values.corpus,
    queries: values.queries,
    out: values.out,
    fuseSample: values['fuse-sample'] === undefined ? 60 : Number(values['fuse-sample']),
    fts5: values['no-fts5'] !== true,
    fuseProvider: values['fuse-provider'] === true,
    alternatives: values.alternatives === true,
    openPath: values['open-path'] === true,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
