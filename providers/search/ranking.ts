/**
 * The order every search provider returns: the exact name first, then score (higher first), then
 * downloads (popularity breaks ties), then name, so that equal scores never come back in a
 * different order and pagination over one ranking is stable.
 */
import type { SearchResult } from '../../src/contracts/search.js';
import { toHit, type StoredDocument } from './document.js';

export interface Ranked {
  stored: StoredDocument;
  score: number;
  exact: boolean;
}

export function compareRanked(a: Ranked, b: Ranked): number {
  if (a.exact !== b.exact) return a.exact ? -1 : 1;
  if (a.score !== b.score) return b.score - a.score;
  if (a.stored.downloads !== b.stored.downloads) return b.stored.downloads - a.stored.downloads;
  return a.stored.key < b.stored.key ? -1 : a.stored.key > b.stored.key ? 1 : 0;
}

/** Sorts and cuts one page; `total` is the number of matches before the cut. */
export function paginate(matches: Ranked[], limit: number, offset: number): SearchResult {
  matches.sort(compareRanked);
  return {
    total: matches.length,
    items: matches.slice(offset, offset + limit).map((m) => toHit(m.stored, roundScore(m.score), m.exact)),
  };
}

/** Scores are shown to people; four decimals are plenty to compare within one result set. */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

/**
 * Like paginate, but for large candidate sets: keeps only the best offset+limit with a bounded
 * heap (O(n log(offset+limit))) instead of sorting every match.
 */
export function paginateTop(matches: Ranked[], limit: number, offset: number): SearchResult {
  const want = offset + limit;
  if (matches.length <= 4 * want + 256) return paginate(matches, limit, offset);
  // Max-heap on "worst first" so the root is the weakest of the kept ones.
  const heap: Ranked[] = [];
  const worse = (a: Ranked, b: Ranked) => compareRanked(a, b) > 0;
  for (const m of matches) {
    if (heap.length < want) {
      heap.push(m);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[p]!)) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    } else if (want > 0 && compareRanked(m, heap[0]!) < 0) {
      heap[0] = m;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < heap.length && worse(heap[l]!, heap[w]!)) w = l;
        if (r < heap.length && worse(heap[r]!, heap[w]!)) w = r;
        if (w === i) break;
        [heap[i], heap[w]] = [heap[w]!, heap[i]!];
        i = w;
      }
    }
  }
  const page = paginate(heap, limit, offset);
  return { total: matches.length, items: page.items };
}
