/**
 * Sets of versions of one package, as bitsets over the package's known versions.
 *
 * A package with n known versions (sorted ascending, indices 0..n-1) gets a universe of n+1
 * elements: the n versions and one more, ABSENT (index n), which stands for "the package is not
 * selected at all". A PubGrub term is then just a subset of that universe:
 *   - the positive term `foo ∈ R` is the versions matching R (ABSENT not in it);
 *   - the negative term `not foo ∈ R` is every other version plus ABSENT.
 * Intersection, union, complement, subset and disjointness are word-wise operations, so the
 * solver never does range arithmetic and never asks the versioning provider anything after a
 * range has been turned into a set once.
 */

export type Bits = Uint32Array;

export function emptySet(universe: number): Bits {
  return new Uint32Array((universe + 31) >>> 5);
}

export function fullSet(universe: number): Bits {
  const s = emptySet(universe);
  s.fill(0xffffffff);
  trim(s, universe);
  return s;
}

/** Clears the bits beyond the universe in the last word, so equality and emptiness stay exact. */
function trim(s: Bits, universe: number): void {
  const rest = universe & 31;
  if (rest !== 0 && s.length > 0) s[s.length - 1]! &= (1 << rest) - 1;
}

export function has(s: Bits, i: number): boolean {
  return (s[i >>> 5]! & (1 << (i & 31))) !== 0;
}

export function add(s: Bits, i: number): void {
  s[i >>> 5]! |= 1 << (i & 31);
}

export function remove(s: Bits, i: number): void {
  s[i >>> 5]! &= ~(1 << (i & 31));
}

export function singleton(universe: number, i: number): Bits {
  const s = emptySet(universe);
  add(s, i);
  return s;
}

export function intersect(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

export function union(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
  return out;
}

/** a \ b */
export function minus(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & ~b[i]!;
  return out;
}

export function complement(a: Bits, universe: number): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ~a[i]!;
  trim(out, universe);
  return out;
}

export function isEmpty(a: Bits): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

export function equals(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** a ⊆ b */
export function isSubset(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~b[i]!) !== 0) return false;
  return true;
}

export function isDisjoint(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & b[i]!) !== 0) return false;
  return true;
}

export function count(a: Bits): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** Highest element below `limit` (exclusive), or -1. */
export function highestBelow(a: Bits, limit: number): number {
  for (let i = limit - 1; i >= 0; i--) {
    const word = a[i >>> 5]!;
    if (word === 0) {
      i &= ~31; // skip the rest of an empty word (the loop's i-- moves to the previous word)
      continue;
    }
    if ((word & (1 << (i & 31))) !== 0) return i;
  }
  return -1;
}

/** Elements below `limit`, ascending. */
export function elements(a: Bits, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < limit; i++) if (has(a, i)) out.push(i);
  return out;
}
