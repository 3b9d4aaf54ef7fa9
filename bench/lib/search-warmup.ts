/**
 * Warm-up queries, run untimed before the measured ones so that the engine has compiled the search
 * paths (a long-running registry is always warm; a cold one pays the compilation on its first
 * few queries). They are made from the corpus by fixed rules — every n-th package's name whole,
 * with a dropped and a swapped character, cut to a prefix, and two words of its description —
 * never from the queries file.
 */
import type { SearchDocument } from '../../src/contracts/search.js';

export function warmUpQueries(docs: readonly SearchDocument[], count = 120): string[] {
  const out: string[] = [];
  const step = Math.max(1, Math.floor(docs.length / (count / 5)));
  for (let i = 0; i < docs.length && out.length < count; i += step) {
    const name = docs[i]!.name;
    const mid = Math.floor(name.length / 2);
    out.push(name);
    out.push(name.slice(0, mid) + name.slice(mid + 1));
    out.push(name.length > 3 ? name.slice(0, mid - 1) + name[mid] + name[mid - 1] + name.slice(mid + 1) : name);
    out.push(name.slice(0, Math.min(name.length, 5)));
    const words = (docs[i]!.description ?? '').split(/\s+/).filter((w) => w.length > 3);
    out.push(words.length >= 2 ? `${words[0]} ${words[1]}` : name);
  }
  return out;
}
