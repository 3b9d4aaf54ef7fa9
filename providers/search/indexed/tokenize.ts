/**
 * Words for the description index: lower-case runs of letters and digits. Names are split the same
 * way ("left-pad" → left, pad; "@types/node" → types, node) so that a word query also finds a
 * package by the words of its name.
 */
const WORD = /[\p{L}\p{N}]+/gu;

/** Distinct words of a text, in first-seen order, at most `max` of them. */
export function words(text: string, max = Infinity): string[] {
  const seen = new Set<string>();
  for (const m of text.toLowerCase().matchAll(WORD)) {
    seen.add(m[0]);
    if (seen.size >= max) break;
  }
  return [...seen];
}
