import { describe, expect, it } from 'vitest';
import { NameTrie } from '../../../../providers/search/indexed/name-trie.js';

/** Optimal string alignment distance, the plain O(n·m) table: the reference the trie walk must agree with. */
function osa(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A small deterministic generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomWord(r: () => number, alphabet: string, min: number, max: number): string {
  const n = min + Math.floor(r() * (max - min + 1));
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
}

describe('NameTrie', () => {
  it('finds exactly the names within k edits (insert, delete, substitute, swap), against a brute-force reference', () => {
    const r = rng(42);
    // A small alphabet makes many near neighbours, which is where a pruning bug would show.
    const names = [...new Set(Array.from({ length: 400 }, () => randomWord(r, 'abcd-', 1, 9)))];
    const trie = new NameTrie();
    names.forEach((n, i) => trie.set(n, i, 0));
    for (let t = 0; t < 150; t++) {
      const q = randomWord(r, 'abcde-', 1, 10);
      for (const k of [1, 2]) {
        const found = new Map<number, number>();
        trie.fuzzy(q, k, { onName: (doc, d) => found.set(doc, d) });
        const expected = new Map<number, number>();
        names.forEach((n, i) => {
          const d = osa(n, q);
          if (d <= k) expected.set(i, d);
        });
        expect(found, `query '${q}' k=${k}`).toEqual(expected);
      }
    }
  });

  it('counts a swap of two neighbours as one edit', () => {
    const trie = new NameTrie();
    trie.set('express', 0, 0);
    const found: number[] = [];
    trie.fuzzy('exrpess', 1, { onName: (_doc, d) => found.push(d) });
    expect(found).toEqual([1]);
  });

  it('returns the heaviest names under a prefix, with ties kept whole', () => {
    const trie = new NameTrie();
    const weights: Record<string, number> = { react: 100, 'react-dom': 90, 'react-is': 90, reactive: 5, redux: 1000, 'react-x': 1 };
    Object.entries(weights).forEach(([n, w], i) => trie.set(n, i, w));
    const names = Object.keys(weights);
    const top2 = trie.topByWeight(trie.node('react'), 2).map((i) => names[i]);
    // react (100), then the tie at 90 is returned whole rather than cut by layout.
    expect(top2[0]).toBe('react');
    expect(new Set(top2.slice(1))).toEqual(new Set(['react-dom', 'react-is']));
    expect(trie.namesUnder(trie.node('react'))).toBe(5);
    expect(trie.node('vue')).toBe(-1);
  });

  it('updates incrementally: delete hides a name, re-weighting reorders, and counts follow', () => {
    const trie = new NameTrie();
    trie.set('abc', 0, 10);
    trie.set('abd', 1, 20);
    trie.set('ab', 2, 5);
    expect(trie.topByWeight(trie.node('ab'), 1)).toEqual([1]);
    trie.delete('abd');
    expect(trie.get('abd')).toBe(-1);
    expect(trie.topByWeight(trie.node('ab'), 1)).toEqual([0]);
    expect(trie.namesUnder(trie.node('ab'))).toBe(2);
    trie.set('ab', 2, 50);
    expect(trie.topByWeight(trie.node('ab'), 1)).toEqual([2]);
    const seen: number[] = [];
    trie.fuzzy('abd', 1, { onName: (doc) => seen.push(doc) });
    expect(seen.sort()).toEqual([0, 2]);
    trie.delete('never-there');
    expect(trie.namesUnder(0)).toBe(2);
  });
});
