/**
 * An inverted index from word to the documents whose name or description holds it. Posting lists
 * are kept sorted by document id (ids only grow, so an add is an append), which makes an AND of
 * words a walk of the shortest list with binary searches in the others.
 */
import { lowerBound } from '../../../src/util/partition-point.js';

export class WordIndex {
  private readonly postings = new Map<string, number[]>();
  /** Every word, sorted, for prefix lookups; built on first need (or by prepare()) and then kept in step. */
  private sorted: string[] | undefined;

  /** Builds the sorted word list now, so that no query pays for it (call after a bulk load). */
  prepare(): void {
    this.sorted ??= [...this.postings.keys()].sort();
  }

  add(doc: number, words: readonly string[]): void {
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) {
        this.postings.set(w, [doc]);
        if (this.sorted !== undefined) this.sorted.splice(lowerBound(this.sorted, w), 0, w);
      } else if (list[list.length - 1]! < doc) list.push(doc);
      else insertSorted(list, doc);
    }
  }

  remove(doc: number, words: readonly string[]): void {
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) continue;
      const i = lowerBound(list, doc);
      if (list[i] === doc) list.splice(i, 1);
      if (list.length === 0) {
        this.postings.delete(w);
        if (this.sorted !== undefined) {
          const at = lowerBound(this.sorted, w);
          if (this.sorted[at] === w) this.sorted.splice(at, 1);
        }
      }
    }
  }

  /** How many documents hold `word`. */
  frequency(word: string): number {
    return this.postings.get(word)?.length ?? 0;
  }

  /** Documents holding every word (ascending ids). */
  all(words: readonly string[]): number[] {
    const lists: number[][] = [];
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) return [];
      lists.push(list);
    }
    return intersect(lists);
  }

  /**
   * Documents holding, for every term, a word that starts with it ("salsa" finds "salsa20").
   * Terms shorter than minPrefix must match whole words; a term stands for at most maxWords
   * words (the most frequent), so a short term cannot pull in the whole dictionary.
   */
  allByPrefix(terms: readonly string[], minPrefix: number, maxWords: number): number[] {
    this.prepare();
    const sorted = this.sorted!;
    const lists: number[][] = [];
    for (const t of terms) {
      if (t.length < minPrefix) {
        const list = this.postings.get(t);
        if (list === undefined) return [];
        lists.push(list);
        continue;
      }
      const expansions: number[][] = [];
      for (let i = lowerBound(sorted, t); i < sorted.length && sorted[i]!.startsWith(t); i++) expansions.push(this.postings.get(sorted[i]!)!);
      if (expansions.length === 0) return [];
      expansions.sort((a, b) => b.length - a.length);
      lists.push(union(expansions.slice(0, maxWords)));
    }
    return intersect(lists);
  }

  /** For each document holding at least one of the words, how many of them it holds. */
  some(words: readonly string[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (const w of words) for (const doc of this.postings.get(w) ?? []) counts.set(doc, (counts.get(doc) ?? 0) + 1);
    return counts;
  }
}

/** Ascending ids in every list: walk the shortest, binary-search the others. */
function intersect(lists: number[][]): number[] {
  if (lists.length === 0) return [];
  lists.sort((a, b) => a.length - b.length);
  const [first, ...rest] = lists as [number[], ...number[][]];
  if (rest.length === 0) return first.slice();
  const out: number[] = [];
  for (const doc of first) {
    let inAll = true;
    for (const list of rest) {
      const i = lowerBound(list, doc);
      if (list[i] !== doc) {
        inAll = false;
        break;
      }
    }
    if (inAll) out.push(doc);
  }
  return out;
}

/** Ascending, distinct ids in any of the lists. */
function union(lists: number[][]): number[] {
  if (lists.length === 1) return lists[0]!;
  const all = lists.flat().sort((a, b) => a - b);
  const out: number[] = [];
  for (const id of all) if (out[out.length - 1] !== id) out.push(id);
  return out;
}

function insertSorted(list: number[], value: number): void {
  const i = lowerBound(list, value);
  if (list[i] !== value) list.splice(i, 0, value);
}
