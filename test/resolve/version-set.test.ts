/** The bitset layer against a plain Set, on random universes of sizes around word boundaries. */
import { describe, expect, it } from 'vitest';
import * as vs from '../../src/resolve/version-set.js';
import { prng } from './helpers.js';

const toSet = (bits: vs.Bits, universe: number): Set<number> => new Set(vs.elements(bits, universe));

describe('version sets', () => {
  it('agree with Set semantics for every operation', () => {
    const rand = prng(3);
    for (const universe of [1, 2, 31, 32, 33, 63, 64, 65, 100]) {
      for (let round = 0; round < 50; round++) {
        const a = vs.emptySet(universe);
        const b = vs.emptySet(universe);
        const sa = new Set<number>();
        const sb = new Set<number>();
        for (let i = 0; i < universe; i++) {
          if (rand() < 0.5) (vs.add(a, i), sa.add(i));
          if (rand() < 0.5) (vs.add(b, i), sb.add(i));
        }
        expect(toSet(vs.intersect(a, b), universe)).toEqual(new Set([...sa].filter((x) => sb.has(x))));
        expect(toSet(vs.union(a, b), universe)).toEqual(new Set([...sa, ...sb]));
        expect(toSet(vs.minus(a, b), universe)).toEqual(new Set([...sa].filter((x) => !sb.has(x))));
        const c = vs.complement(a, universe);
        expect(toSet(c, universe)).toEqual(new Set(Array.from({ length: universe }, (_, i) => i).filter((x) => !sa.has(x))));
        // Bits beyond the universe stay clear, so equality and emptiness are exact.
        expect(vs.isEmpty(vs.intersect(c, a))).toBe(true);
        expect(vs.equals(vs.complement(c, universe), a)).toBe(true);
        expect(vs.count(a)).toBe(sa.size);
        expect(vs.isSubset(a, b)).toBe([...sa].every((x) => sb.has(x)));
        expect(vs.isDisjoint(a, b)).toBe([...sa].every((x) => !sb.has(x)));
        expect(vs.highestBelow(a, universe)).toBe(sa.size === 0 ? -1 : Math.max(...sa));
        expect(vs.equals(vs.fullSet(universe), vs.union(a, c))).toBe(true);
      }
    }
  });

  it('highestBelow ignores elements at or above the limit (ABSENT is never a version)', () => {
    const s = vs.singleton(40, 39);
    vs.add(s, 3);
    expect(vs.highestBelow(s, 39)).toBe(3);
    vs.remove(s, 3);
    expect(vs.highestBelow(s, 39)).toBe(-1);
  });
});
