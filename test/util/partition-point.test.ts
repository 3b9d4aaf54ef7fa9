import { describe, expect, it } from 'vitest';
import { lowerBound, partitionPoint, sortedIncludes } from '../../src/util/partition-point.js';
import { prng } from '../helpers/prng.js';

describe('partitionPoint, lowerBound, sortedIncludes', () => {
  it('finds the first index where a monotone predicate turns true', () => {
    expect(partitionPoint(0, () => true)).toBe(0);
    expect(partitionPoint(5, () => false)).toBe(5);
    expect(partitionPoint(5, () => true)).toBe(0);
    expect(partitionPoint(10, (i) => i >= 7)).toBe(7);
  });

  it('agrees with a linear scan on random sorted lists, duplicates included', () => {
    const random = prng(42);
    for (let round = 0; round < 200; round++) {
      const list = Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 30)).sort((a, b) => a - b);
      for (let value = -1; value <= 31; value++) {
        const linear = list.findIndex((x) => x >= value);
        expect(lowerBound(list, value)).toBe(linear === -1 ? list.length : linear);
        expect(sortedIncludes(list, value)).toBe(list.includes(value));
      }
    }
  });

  it('orders strings by code unit, as the lists it serves are sorted', () => {
    const words = ['Zeta', 'alpha', 'beta', 'beta', 'gamma'];
    expect(lowerBound(words, 'beta')).toBe(2);
    expect(lowerBound(words, 'b')).toBe(2);
    expect(lowerBound(words, 'zzz')).toBe(5);
    expect(sortedIncludes(words, 'gamma')).toBe(true);
    expect(sortedIncludes(words, 'delta')).toBe(false);
  });
});
