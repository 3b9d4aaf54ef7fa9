/**
 * The two simple alternatives the search benchmark measures in the same run as ours:
 * - plain fuse.js over the whole corpus (name and description), no index of our own;
 * - SQLite FTS5 with the trigram tokenizer (better-sqlite3 ships FTS5), ranked by bm25.
 */
import Database from 'better-sqlite3';
import Fuse from 'fuse.js';
import type { SearchDocument } from '../../src/contracts/search.js';
import type { BenchQuery } from './search-data.js';
import { timed, type QueryRun } from './search-eval.js';

const TOP = 10;

export function runPlainFuse(docs: readonly SearchDocument[], queries: readonly BenchQuery[]): { runs: QueryRun[]; buildMs: number } {
  const t0 = performance.now();
  const fuse = new Fuse(docs, { keys: [{ name: 'name', weight: 2 }, { name: 'description', weight: 1 }], includeScore: true });
  const buildMs = performance.now() - t0;
  const runs: QueryRun[] = [];
  for (const query of queries) {
    const r = timed(() => fuse.search(query.q, { limit: TOP }).map((hit) => hit.item.name));
    runs.push({ query, results: r.value, ms: r.ms, cpuMs: r.cpuMs });
  }
  return { runs, buildMs };
}

/** An FTS5 trigram query: every word a quoted substring (trigram needs 3+ characters). */
function ftsQuery(q: string): string | undefined {
  const terms = q.toLowerCase().split(/\s+/).filter((t) => t.length >= 3);
  if (terms.length === 0) return undefined;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' ');
}

export function runFts5(docs: readonly SearchDocument[], queries: readonly BenchQuery[]): { runs: QueryRun[]; buildMs: number } {
  const db = new Database(':memory:');
  try {
    const t0 = performance.now();
    db.exec(`CREATE VIRTUAL TABLE pkg USING fts5(name, description, downloads UNINDEXED, tokenize = 'trigram')`);
    const insert = db.prepare('INSERT INTO pkg(name, description, downloads) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const d of docs) insert.run(d.name, d.description ?? '', d.downloads ?? 0);
    })();
    const buildMs = performance.now() - t0;
    const select = db.prepare(`SELECT name FROM pkg WHERE pkg MATCH ? ORDER BY rank LIMIT ${TOP}`).pluck();
    const runs: QueryRun[] = [];
    for (const query of queries) {
      const r = timed(() => {
        const match = ftsQuery(query.q);
        return match === undefined ? [] : (select.all(match) as string[]);
      });
      runs.push({ query, results: r.value, ms: r.ms, cpuMs: r.cpuMs });
    }
    return { runs, buildMs };
  } finally {
    db.close();
  }
}
