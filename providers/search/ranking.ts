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
 * Keeps the best `size` matches of a stream without sorting (or even allocating for) the rest:
 * a candidate worse than the weakest kept one costs one comparison. Used where a query can match
 * tens of thousands of packages (a common word) but only one page is shown.
 */
export class TopK {
  private readonly heap: Ranked[] = []; // worst at the root
  /** Every match offered (the result's total). */
  count = 0;

  constructor(private readonly size: number) {}

  private static worse(a: Ranked, b: Ranked): boolean {
    return compareRanked(a, b) > 0;
  }

  /**
   * False when a match with this score and downloads cannot enter: a check that needs no document,
   * so a caller scanning thousands of ids touches only the ones that might make the page
   * (a tie on both lets it through; offer() then decides by name).
   */
  couldEnter(score: number, downloads: number, exact = false): boolean {
    if (this.heap.length < this.size) return true;
    if (this.size === 0) return false;
    const w = this.heap[0]!;
    if (exact !== w.exact) return exact;
    if (score !== w.score) return score > w.score;
    return downloads >= w.stored.downloads;
  }

  /** Counts a match the caller knows (by couldEnter) cannot enter. */
  skip(): void {
    this.count++;
  }

  /** True when a match with this score could enter (a cheap pre-check before building it). */
  private admits(stored: StoredDocument, score: number, exact: boolean): boolean {
    if (this.heap.length < this.size) return true;
    if (this.size === 0) return false;
    const w = this.heap[0]!;
    if (exact !== w.exact) return exact;
    if (score !== w.score) return score > w.score;
    if (stored.downloads !== w.stored.downloads) return stored.downloads > w.stored.downloads;
    return stored.key < w.stored.key;
  }

  offer(stored: StoredDocument, score: number, exact = false): void {
    this.count++;
    if (!this.admits(stored, score, exact)) return;
    const m: Ranked = { stored, score, exact };
    const heap = this.heap;
    if (heap.length < this.size) {
      heap.push(m);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.worse(heap[i]!, heap[p]!)) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
      return;
    }
    heap[0] = m;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && TopK.worse(heap[l]!, heap[w]!)) w = l;
      if (r < heap.length && TopK.worse(heap[r]!, heap[w]!)) w = r;
      if (w === i) break;
      [heap[i], heap[w]] = [heap[w]!, heap[i]!];
      i = w;
    }
  }

  /** The page [offset, offset+limit) of everything offered, with `extra` matches added to the total. */
  page(limit: number, offset: number, extra = 0): SearchResult {
    const sorted = this.heap.slice().sort(compareRanked);
    return {
      total: this.count + extra,
      items: sorted.slice(offset, offset + limit).map((m) => toHit(m.stored, roundScore(m.score), m.exact)),
    };
  }
}
