/**
 * Range semantics as the resolver sees them, checked against node-semver itself on random
 * (seeded) ranges and versions: the versioning provider's satisfies() must agree with
 * semver.satisfies on the node-semver form, and a comma range must mean its parts joined by
 * spaces. Also checks that the ranges an explanation prints admit exactly the versions meant.
 */
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import type { PackageData } from '../../src/resolve/catalogue.js';
import { rangeText } from '../../src/resolve/describe-term.js';
import { add, emptySet, has } from '../../src/resolve/version-set.js';
import { pick, prng, semverSatisfies } from './helpers.js';

const versioning = createSemverVersioning();

function randomVersion(rand: () => number): string {
  const core = `${Math.floor(rand() * 4)}.${Math.floor(rand() * 4)}.${Math.floor(rand() * 4)}`;
  if (rand() < 0.25) return `${core}-${pick(rand, ['alpha', 'beta.1', 'beta.2', 'rc.1', '0'])}`;
  return core;
}

/** A version as a range operand: full, partial (`1`, `1.2`), wildcard (`1.x`, `*`), or prerelease. */
function randomOperand(rand: () => number): string {
  const r = rand();
  const m = Math.floor(rand() * 4);
  const n = Math.floor(rand() * 4);
  if (r < 0.45) return randomVersion(rand);
  if (r < 0.6) return `${m}.${n}`;
  if (r < 0.7) return `${m}`;
  if (r < 0.8) return `${m}.x`;
  if (r < 0.85) return `${m}.${n}.x`;
  return pick(rand, ['*', 'x', `${m}.${n}.0-0`]);
}

function randomComparator(rand: () => number, eq: '=' | '=='): string {
  const op = pick(rand, ['', eq, '>', '>=', '<', '<=', '^', '~', '^', '>=']);
  return `${op}${randomOperand(rand)}`;
}

/** A node-semver range: `||` of alternatives, each comparators, a hyphen range, or one operand. */
function randomRange(rand: () => number): string {
  const alternatives: string[] = [];
  const count = 1 + Math.floor(rand() * (rand() < 0.7 ? 1 : 3));
  for (let i = 0; i < count; i++) {
    if (rand() < 0.15) alternatives.push(`${randomOperand(rand)} - ${randomOperand(rand)}`);
    else alternatives.push(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomComparator(rand, '=')).join(' '));
  }
  return alternatives.join(' || ');
}

/** The Python-style form: parts ANDed with commas, `==` for equality. */
function randomCommaRange(rand: () => number): string {
  const alternatives: string[] = [];
  const count = rand() < 0.8 ? 1 : 2;
  for (let i = 0; i < count; i++) {
    alternatives.push(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomComparator(rand, '==')).join(rand() < 0.5 ? ',' : ', '));
  }
  return alternatives.join(' || ');
}

describe('range semantics against node-semver', () => {
  it('satisfies() agrees with semver.satisfies on 2,000 random node-semver ranges × 10 versions', () => {
    const rand = prng(20261122);
    let admitted = 0;
    for (let i = 0; i < 2000; i++) {
      const range = randomRange(rand);
      const valid = semver.validRange(range) !== null;
      expect(versioning.isValidRange(range), range).toBe(valid);
      for (let k = 0; k < 10; k++) {
        const version = randomVersion(rand);
        const expected = valid && semver.satisfies(version, range);
        if (expected) admitted++;
        expect(versioning.satisfies(version, range), `${version} in ${range}`).toBe(expected);
      }
    }
    // The generator is only useful if it produces both outcomes often.
    expect(admitted).toBeGreaterThan(2000);
    expect(admitted).toBeLessThan(18000);
  });

  it('a comma range means its parts joined by spaces (== as =), on 1,500 random ranges × 10 versions', () => {
    const rand = prng(7);
    for (let i = 0; i < 1500; i++) {
      const range = randomCommaRange(rand);
      for (let k = 0; k < 10; k++) {
        const version = randomVersion(rand);
        expect(versioning.satisfies(version, range), `${version} in ${range}`).toBe(semverSatisfies(version, range));
      }
    }
  });

  it('selectSatisfying over a sorted list picks exactly what semver.satisfies admits (2,000 random ranges × random lists)', () => {
    const rand = prng(31337);
    for (let i = 0; i < 2000; i++) {
      const range = i % 3 === 0 ? randomCommaRange(rand) : randomRange(rand);
      // Some versions carry build metadata, so equal-precedence neighbours occur.
      const versions = [...new Set(Array.from({ length: Math.floor(rand() * 25) }, () => randomVersion(rand) + (rand() < 0.1 ? '+b.1' : '')))].sort(semver.compare);
      const expected = versions.flatMap((v, k) => (semverSatisfies(v, range) ? [k] : []));
      expect(versioning.selectSatisfying!(versions, range), `${range} over ${versions.join(' ')}`).toEqual(expected);
    }
  });

  it('selectSatisfying still answers right on a list that is not sorted (by testing each version)', () => {
    expect(versioning.selectSatisfying!(['2.0.0', '1.0.0', '1.5.0'], '^1.0.0')).toEqual([1, 2]);
  });

  it('selectSatisfying notices a list changed since it was last given', () => {
    const list = ['1.0.0', '1.5.0', '2.0.0'];
    expect(versioning.selectSatisfying!(list, '^1.0.0')).toEqual([0, 1]);
    list[1] = '3.0.0';
    list.push('4.0.0');
    expect(versioning.selectSatisfying!(list, '^1.0.0')).toEqual([0]);
  });

  it('the prerelease rule: a prerelease matches only through a comparator naming the same release', () => {
    expect(versioning.satisfies('1.2.0-beta.1', '^1.0.0')).toBe(false);
    expect(versioning.satisfies('1.2.0-beta.1', '*')).toBe(false);
    expect(versioning.satisfies('1.2.0-beta.1', '>=0.0.0')).toBe(false);
    expect(versioning.satisfies('1.2.0-beta.1', '>=1.2.0-alpha')).toBe(true);
    expect(versioning.satisfies('1.2.0-beta.1', '>=1.2.0-alpha,<2.0.0')).toBe(true);
    expect(versioning.satisfies('1.3.0-beta.1', '>=1.2.0-alpha,<2.0.0')).toBe(false);
    // node-semver reads a range with a `*` alternative as `*` (../shared/data/resolve/README.md).
    expect(versioning.satisfies('1.2.0-beta.1', '* || >=1.2.0-alpha')).toBe(false);
    expect(versioning.satisfies('1.2.0-beta.1', '>=3.0.0 || >=1.2.0-alpha')).toBe(true);
    expect(versioning.satisfies('1.2.0', '==1.2.0')).toBe(true);
  });
});

describe('ranges printed in explanations', () => {
  it('admit, under node-semver, exactly the versions of the set they describe (2,000 random sets)', () => {
    const rand = prng(99);
    for (let i = 0; i < 2000; i++) {
      const versions = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 12) }, () => randomVersion(rand)))].sort(semver.compare);
      const pkg: PackageData = {
        id: 1,
        name: 'p',
        isRoot: false,
        versions,
        dependencies: versions.map(() => ({})),
        prerelease: versions.map((v) => semver.prerelease(v) !== null),
        withheld: [],
        n: versions.length,
        universe: versions.length + 1,
      };
      const set = emptySet(pkg.universe);
      for (let k = 0; k < pkg.n; k++) if (rand() < 0.5) add(set, k);
      const text = rangeText(pkg, set);
      const members = versions.filter((_, k) => has(set, k));
      if (text === null) {
        expect(members).toEqual(versions);
      } else if (text === '') {
        expect(members).toEqual([]);
      } else {
        expect(semver.validRange(text), text).not.toBeNull();
        expect(versions.filter((v) => semver.satisfies(v, text)), `${text} over ${versions.join(' ')}`).toEqual(members);
      }
    }
  });
});
