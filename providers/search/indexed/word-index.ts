/**
 * An inverted index from word to the documents whose name or description holds it. Posting lists
 * are kept sorted by document id (ids only grow, so an add is an append), which makes an AND of
 * words a walk of the shortest list with binary searches in the others.
 */
export class WordIndex {
  private readonly postings = new Map<string, number[]>();

  add(doc: number, words: readonly string[]): void {
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) this.postings.set(w, [doc]);
      else if (list[list.length - 1]! < doc) list.push(doc);
      else insertSorted(list, doc);
    }
  }

  remove(doc: number, words: readonly string[]): void {
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) continue;
      const i = lowerBound(list, doc);
      if (list[i] === doc) list.splice(i, 1);
      if (list.length === 0) this.postings.delete(w);
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

  /** For each document holding at least one of the words, how many of them it holds. */
  some(words: readonly string[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (const w of words) for (const doc of this.postings.get(w) ?? []) counts.set(doc, (counts.get(doc) ?? 0) + 1);
    return counts;
  }
}

function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: number[], value: number): void {
  const i = lowerBound(list, value);
  if (list[i] !== value) list.splice(i, 0, value);
}
