/**
 * Words for the description index: lower-case runs of letters and digits. Names are split the same
 * way ("left-pad" → left, pad; "@types/node" → types, node) so that a word query also finds a
 * package by the words of its name.
 *
 * Tokenizing every description is most of the index build, so plain-ASCII text (nearly all of it)
 * takes a loop over char codes; only text with other characters pays for the Unicode regex.
 */
const NON_ASCII = /[^\x00-\x7f]/;
const WORD = /[\p{L}\p{N}]+/gu;
/** Below this many words a linear scan dedupes faster than a Set. */
const SMALL = 32;

class Distinct {
  readonly list: string[] = [];
  private set: Set<string> | undefined;

  /** Adds w if new; returns the number of distinct words. */
  add(w: string): number {
    if (this.set !== undefined) {
      if (!this.set.has(w)) {
        this.set.add(w);
        this.list.push(w);
      }
    } else if (!this.list.includes(w)) {
      this.list.push(w);
      if (this.list.length > SMALL) this.set = new Set(this.list);
    }
    return this.list.length;
  }
}

/** Distinct words of a text, in first-seen order, at most `max` of them. */
export function words(text: string, max = Infinity): string[] {
  const lower = text.toLowerCase();
  const out = new Distinct();
  if (NON_ASCII.test(lower)) {
    for (const m of lower.matchAll(WORD)) if (out.add(m[0]) >= max) break;
    return out.list;
  }
  const n = lower.length;
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? lower.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (out.add(lower.slice(start, i)) >= max) break;
      start = -1;
    }
  }
  return out.list;
}
