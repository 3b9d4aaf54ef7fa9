/**
 * Reading the search benchmark's inputs: the gzipped JSONL corpus (streamed line by line, never
 * held whole as text) and the queries file (SPEC §6, ../shared/data/search/README.md).
 */
import { createReadStream, readFileSync } from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import type { SearchDocument } from '../../src/contracts/search.js';

export interface BenchQuery {
  q: string;
  /** Acceptable first results; absent when the queries file has no answers. */
  expect?: string[];
  /** exact, typo1, typo2, prefix, scoped, words; `all` when the file has no kinds. */
  kind: string;
}

export async function readCorpus(file: string): Promise<SearchDocument[]> {
  const input = createReadStream(file);
  const lines = readline.createInterface({ input: file.endsWith('.gz') ? input.pipe(zlib.createGunzip()) : input, crlfDelay: Infinity });
  const docs: SearchDocument[] = [];
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { name: string; version: string; description?: string; downloads?: number; tags?: string[] };
    docs.push({ name: r.name, version: r.version, description: r.description ?? '', downloads: r.downloads ?? 0, tags: r.tags ?? [] });
  }
  return docs;
}

export function readQueries(file: string): BenchQuery[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const r = JSON.parse(l) as { q: string; expect?: string[]; kind?: string };
      const query: BenchQuery = { q: r.q, kind: r.kind ?? 'all' };
      if (r.expect !== undefined) query.expect = r.expect;
      return query;
    });
}

/** An even sample of n queries keeping every kind's share (the fuse.js baseline is too slow for all). */
export function sampleByKind(queries: readonly BenchQuery[], n: number): BenchQuery[] {
  if (n <= 0) return [];
  if (queries.length <= n) return [...queries];
  const kinds = [...new Set(queries.map((q) => q.kind))];
  const out: BenchQuery[] = [];
  for (const kind of kinds) {
    const ofKind = queries.filter((q) => q.kind === kind);
    const take = Math.max(1, Math.round((n * ofKind.length) / queries.length));
    for (let i = 0; i < take && i < ofKind.length; i++) out.push(ofKind[Math.floor((i * ofKind.length) / take)]!);
  }
  return out;
}
