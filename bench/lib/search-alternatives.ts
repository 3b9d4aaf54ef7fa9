/**
 * Candidate generators the indexed provider did not choose, measured on the same corpus and
 * queries so docs/search.md can give the figures behind the choice (`bench:search -- --alternatives`):
 *
 * - trigram count filter: names → padded character trigrams → posting lists; a query's candidates
 *   are the 300 names sharing the most trigrams with it, then verified (edit distance ≤ 2 or
 *   prefix) and scored like the indexed provider (same weights, same popularity term);
 * - deletion neighbourhood (SymSpell): every name with each 1 (or 2) characters deleted, as keys.
 *   Only its size and build time are measured: at 2 deletions it does not fit the memory goal.
 */
import type { SearchDocument } from '../../src/contracts/search.js';
import { DEFAULT_WEIGHTS, editBudget } from '../../providers/search/indexed.js';
import type { BenchQuery } from './search-data.js';
import { timed, type QueryRun } from './search-eval.js';

const CANDIDATES = 300;

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

function trigrams(name: string): string[] {
  const s = `\u0002${name}\u0003`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return [...out];
}

/** Optimal string alignment distance, stopping early once every cell of a row exceeds `max`. */
function osa(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    let min = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      row[j] = v;
      if (v < min) min = v;
    }
    if (min > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

export interface AlternativeRun {
  runs: QueryRun[];
  buildMs: number;
  mb: number;
}

/** Trigram candidates + verification, for one-word queries (word queries are not its question). */
export function runTrigramAlternative(docs: readonly SearchDocument[], queries: readonly BenchQuery[], collect: () => void): AlternativeRun {
  collect();
  const before = heapMb();
  const t0 = performance.now();
  const postings = new Map<string, number[]>();
  docs.forEach((d, id) => {
    for (const g of trigrams(d.name)) {
      const list = postings.get(g);
      if (list === undefined) postings.set(g, [id]);
      else list.push(id);
    }
  });
  const pop = Float64Array.from(docs, (d) => Math.log10(1 + (d.downloads ?? 0)) / 10);
  const byName = new Map(docs.map((d, i) => [d.name, i]));
  const buildMs = performance.now() - t0;
  collect();
  const mb = heapMb() - before;
  const counts = new Uint16Array(docs.length);
  const w = DEFAULT_WEIGHTS;
  const runs: QueryRun[] = [];
  for (const query of queries) {
    const r = timed(() => {
      const q = query.q.toLowerCase().trim();
      const touched: number[] = [];
      for (const g of trigrams(q)) {
        for (const id of postings.get(g) ?? []) {
          if (counts[id] === 0) touched.push(id);
          counts[id]!++;
        }
      }
      // The CANDIDATES best by shared trigrams: a histogram of counts finds the cut-off without
      // sorting every touched name (a fair, not a naive, version of this approach).
      const histogram = new Array<number>(q.length + 3).fill(0);
      for (const id of touched) histogram[counts[id]!]!++;
      let cut = histogram.length - 1;
      for (let taken = histogram[cut]!; cut > 1 && taken < CANDIDATES; ) taken += histogram[--cut]!;
      const best = touched.filter((id) => counts[id]! >= cut);
      best.sort((a, b) => counts[b]! - counts[a]! || pop[b]! - pop[a]!);
      const k = editBudget(q.length);
      const perEdit = w.edit + w.editShortQuery / (q.length * q.length);
      const scored: { id: number; s: number }[] = [];
      for (const id of best.slice(0, CANDIDATES)) {
        const name = docs[id]!.name;
        let s = -Infinity;
        if (name.startsWith(q)) s = w.prefix;
        const d = osa(name, q, k);
        if (d === 0) s = w.exact;
        else if (d <= k) s = Math.max(s, w.prefix - d * perEdit - (d > 1 ? w.secondEdit : 0));
        if (s > -Infinity) scored.push({ id, s: s + pop[id]! });
      }
      for (const id of touched) counts[id] = 0;
      const exact = byName.get(q);
      if (exact !== undefined && !scored.some((x) => x.id === exact)) scored.push({ id: exact, s: w.exact + pop[exact]! });
      scored.sort((a, b) => b.s - a.s);
      return scored.slice(0, 10).map((x) => docs[x.id]!.name);
    });
    runs.push({ query, results: r.value, ms: r.ms, cpuMs: r.cpuMs });
  }
  return { runs, buildMs, mb };
}

/** Size and build time of a deletion index over the names, at 1 deletion; keys counted at 2. */
export function measureDeletionIndex(docs: readonly SearchDocument[], collect: () => void): { keys1: number; buildMs1: number; mb1: number; keys2: number } {
  collect();
  const before = heapMb();
  const t0 = performance.now();
  const index = new Map<string, number[]>();
  const add = (key: string, id: number) => {
    const list = index.get(key);
    if (list === undefined) index.set(key, [id]);
    else if (list[list.length - 1] !== id) list.push(id);
  };
  docs.forEach((d, id) => {
    add(d.name, id);
    for (let i = 0; i < d.name.length; i++) add(d.name.slice(0, i) + d.name.slice(i + 1), id);
  });
  const buildMs1 = performance.now() - t0;
  collect();
  const mb1 = heapMb() - before;
  const keys1 = index.size;
  index.clear();
  // Two deletions: count the (name, key) pairs it would store, without storing them.
  let keys2 = 0;
  for (const d of docs) keys2 += 1 + d.name.length + (d.name.length * (d.name.length - 1)) / 2;
  return { keys1, buildMs1, mb1, keys2 };
}
