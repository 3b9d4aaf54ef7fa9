/**
 * Scoring a search run against the queries' expected answers: top-1 (first result acceptable),
 * recall@5 (an acceptable one among the first five) and latency percentiles, per query kind.
 */
import { percentile, table } from './report.js';
import type { BenchQuery } from './search-data.js';

export interface QueryRun {
  query: BenchQuery;
  results: string[];
  ms: number;
  /** CPU time of this process during the search: on a loaded machine, the part that was ours. */
  cpuMs: number;
}

/** Runs one search, timing its wall clock and this process's CPU time. */
export function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

export interface KindFigures {
  kind: string;
  n: number;
  /** NaN when the queries carry no expected answers. */
  top1: number;
  recall5: number;
  p50: number;
  p95: number;
  p99: number;
  cpuP95: number;
}

function figures(kind: string, runs: readonly QueryRun[]): KindFigures {
  const judged = runs.filter((r) => r.query.expect !== undefined);
  const top1 = judged.filter((r) => r.results[0] !== undefined && r.query.expect!.includes(r.results[0])).length;
  const recall5 = judged.filter((r) => r.results.slice(0, 5).some((n) => r.query.expect!.includes(n))).length;
  const ms = runs.map((r) => r.ms);
  return {
    kind,
    n: runs.length,
    top1: judged.length > 0 ? top1 / judged.length : NaN,
    recall5: judged.length > 0 ? recall5 / judged.length : NaN,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    p99: percentile(ms, 99),
    cpuP95: percentile(runs.map((r) => r.cpuMs), 95),
  };
}

/** One row per kind (in first-seen order) and a final `all` row. */
export function figuresByKind(runs: readonly QueryRun[]): KindFigures[] {
  const kinds = [...new Set(runs.map((r) => r.query.kind))];
  const rows = kinds.map((k) => figures(k, runs.filter((r) => r.query.kind === k)));
  if (kinds.length > 1 || kinds[0] !== 'all') rows.push(figures('all', runs));
  return rows;
}

const fmtRate = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(3));
const fmtMs = (x: number) => (Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));

export function figuresTable(system: string, rows: readonly KindFigures[]): string {
  return table(
    ['system', 'kind', 'queries', 'top-1', 'recall@5', 'p50 ms', 'p95 ms', 'p99 ms', 'p95 CPU ms'],
    rows.map((r) => [system, r.kind, r.n, fmtRate(r.top1), fmtRate(r.recall5), fmtMs(r.p50), fmtMs(r.p95), fmtMs(r.p99), fmtMs(r.cpuP95)]),
  );
}
