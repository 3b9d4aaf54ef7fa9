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
