import { describe, expect, it } from 'vitest';
import { words } from '../../../../providers/search/indexed/tokenize.js';
import { WordIndex } from '../../../../providers/search/indexed/word-index.js';

describe('words', () => {
  it('splits on anything but letters and digits, lower-cased and distinct', () => {
    expect(words('@types/node: Node.js types, node')).toEqual(['types', 'node', 'js']);
    expect(words('Ünïcode 漢字 ok', 2)).toEqual(['ünïcode', '漢字']);
  });
});

describe('WordIndex', () => {
  it('answers AND and OR over words, and forgets a removed document', () => {
    const idx = new WordIndex();
    idx.add(0, ['yaml', 'parser']);
    idx.add(1, ['toml', 'parser']);
    idx.add(2, ['yaml', 'writer']);
    expect(idx.all(['parser', 'yaml'])).toEqual([0]);
    expect(idx.all(['parser'])).toEqual([0, 1]);
    expect(idx.all(['nothing'])).toEqual([]);
    expect(idx.all([])).toEqual([]);
    expect([...idx.some(['yaml', 'parser'])].sort()).toEqual([[0, 2], [1, 1], [2, 1]]);
    idx.remove(0, ['yaml', 'parser']);
    expect(idx.all(['yaml'])).toEqual([2]);
    expect(idx.frequency('parser')).toBe(1);
    // ids added out of order still come back ascending
    idx.add(0, ['yaml']);
    expect(idx.all(['yaml'])).toEqual([0, 2]);
  });

  it('matches words by their start, from a bulk load and after incremental changes', () => {
    const idx = new WordIndex();
    idx.add(0, ['salsa20', 'chacha']);
    idx.add(1, ['salsa', 'dance']);
    idx.prepare();
    expect(idx.allByPrefix(['sals'], 3, 64)).toEqual([0, 1]);
    expect(idx.allByPrefix(['sals', 'cha'], 3, 64)).toEqual([0]);
    // shorter than the minimum: whole words only
    expect(idx.allByPrefix(['sa'], 3, 64)).toEqual([]);
    idx.add(2, ['salsarium']);
    expect(idx.allByPrefix(['salsa'], 3, 64)).toEqual([0, 1, 2]);
    idx.remove(0, ['salsa20', 'chacha']);
    expect(idx.allByPrefix(['salsa'], 3, 64)).toEqual([1, 2]);
    expect(idx.allByPrefix(['chach'], 3, 64)).toEqual([]);
    // a term stands for at most maxWords words, the most frequent first
    idx.add(3, ['salsa']);
    expect(idx.allByPrefix(['salsa'], 3, 1)).toEqual([1, 3]);
  });
});
