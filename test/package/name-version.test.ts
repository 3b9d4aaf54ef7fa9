import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  isLatestTag,
  isValidName,
  isValidRange,
  isValidVersion,
  latestVersion,
  maxSatisfying,
  normalizeRange,
  parseSpec,
  satisfies,
} from '../../src/package/name-version.js';

const JUNK: unknown[] = [undefined, null, 0, 1.5, NaN, {}, [], ['1.0.0'], () => '1.0.0', Symbol('x'), 10n, true];

describe('isValidName', () => {
  // [name, valid]
  const table: Array<[string, boolean]> = [
    ['left-pad', true], ['a', true], ['0', true], ['a.b_c-d', true], ['@acme/tool', true], ['@a/b', true], ['@0-x/y.z', true],
    ['Left-pad', false], ['-a', false], ['.a', false], ['_a', false], ['a b', false], ['a/b', false], ['@acme', false], ['@acme/', false],
    ['@/x', false], ['@Acme/x', false], ['@acme/tool/x', false], ['', false], ['é', false], ['a\n', false], ['a@1', false],
  ];
  it.each(table)('%j → %s', (name, valid) => expect(isValidName(name)).toBe(valid));

  it('caps the length at 214 characters (or the given cap)', () => {
    expect(isValidName('a'.repeat(214))).toBe(true);
    expect(isValidName('a'.repeat(215))).toBe(false);
    expect(isValidName(`@s/${'a'.repeat(211)}`)).toBe(true);
    expect(isValidName(`@s/${'a'.repeat(212)}`)).toBe(false);
    expect(isValidName('abcd', 3)).toBe(false);
    expect(isValidName('a'.repeat(1_000_000))).toBe(false);
  });

  it('is total on junk', () => {
    for (const j of JUNK) expect(isValidName(j)).toBe(false);
  });
});

describe('isValidVersion (strict SemVer 2.0.0)', () => {
  const table: Array<[string, boolean]> = [
    ['1.2.3', true], ['0.0.0', true], ['1.2.3-beta.1', true], ['1.2.3-beta.1+build.5', true], ['1.0.0+20130313144700', true], ['1.0.0-0.3.7', true],
    ['1.0.0-x-y-z.--', true], ['10.20.30', true],
    ['v1.2.3', false], ['=1.2.3', false], ['1.0', false], ['1', false], ['1.2.3.4', false], ['01.2.3', false], ['1.02.3', false], ['1.2.3-01', false],
    ['1.2.3-', false], ['1.2.3+', false], ['1.2.3-beta..1', false], [' 1.2.3', false], ['1.2.3 ', false], ['1.2.3-béta', false],
    [`${Number.MAX_SAFE_INTEGER + 10}.0.0`, false],
  ];
  it.each(table)('%j → %s', (v, valid) => expect(isValidVersion(v)).toBe(valid));

  it('caps the length (256 by default) and is total on junk', () => {
    expect(isValidVersion(`1.0.0-${'a'.repeat(300)}`)).toBe(false);
    expect(isValidVersion('1.0.0', 4)).toBe(false);
    for (const j of JUNK) expect(isValidVersion(j)).toBe(false);
  });
});

describe('normalizeRange', () => {
  // [range, node-semver form or null]
  const table: Array<[string, string | null]> = [
    ['^1.2.3', '>=1.2.3 <2.0.0-0'],
    ['>=1.0.0,<2.0.0', '>=1.0.0 <2.0.0'],
    ['>=1.0.0, <2.0.0', '>=1.0.0 <2.0.0'],
    ['==1.2.3', '1.2.3'],
    ['==1.2.3 || >=2.0.0,<3', '1.2.3||>=2.0.0 <3.0.0-0'],
    ['*', '*'],
    ['1.x', '>=1.0.0 <2.0.0-0'],
    ['1.2.3 - 2.0.0', '>=1.2.3 <=2.0.0'],
    ['~1.2', '>=1.2.0 <1.3.0-0'],
    ['>=1.0.0,', null],
    [',<2', null],
    ['>=1,,<2', null],
    ['banana', null],
    ['latest', null],
    ['===1.0.0', null],
  ];
  it.each(table)('%j → %j', (range, expected) => {
    const got = normalizeRange(range);
    expect(got === null ? null : got.replace(/\s*\|\|\s*/g, '||')).toBe(expected);
  });

  it('length-caps before parsing and is total on junk', () => {
    expect(normalizeRange('>=1.0.0 '.repeat(200))).toBeNull();
    expect(normalizeRange('^1.0.0', 3)).toBeNull();
    for (const j of JUNK) expect(normalizeRange(j)).toBeNull();
    expect(isValidRange('>=1.0.0,<2.0.0')).toBe(true);
    expect(isValidRange(42)).toBe(false);
  });
});

describe('satisfies, latest, maxSatisfying, compare', () => {
  it('treats the comma form as AND and == as =', () => {
    expect(satisfies('1.5.0', '>=1.0.0,<2.0.0')).toBe(true);
    expect(satisfies('2.0.0', '>=1.0.0,<2.0.0')).toBe(false);
    expect(satisfies('1.2.3', '==1.2.3')).toBe(true);
    expect(satisfies('1.2.4', '==1.2.3')).toBe(false);
  });

  it('admits prereleases only as node-semver does', () => {
    expect(satisfies('1.3.0-beta.1', '^1.2.0')).toBe(false);
    expect(satisfies('1.3.0-beta.2', '>=1.3.0-beta.1')).toBe(true);
    expect(satisfies('1.4.0-beta.1', '>=1.3.0-beta.1')).toBe(false);
  });

  it('is total on junk', () => {
    for (const j of JUNK) {
      expect(satisfies(j, '*')).toBe(false);
      expect(satisfies('1.0.0', j)).toBe(false);
    }
  });

  it('latest is the highest non-prerelease; maxSatisfying the highest in range', () => {
    const versions = ['1.0.0', '2.0.0-rc.1', '1.9.9', 'junk', '1.10.0'];
    expect(latestVersion(versions)).toBe('1.10.0');
    expect(latestVersion(['1.0.0-alpha'])).toBeNull();
    expect(maxSatisfying(versions, '>=1.0.0,<1.10.0')).toBe('1.9.9');
    expect(maxSatisfying(versions, 'nope')).toBeNull();
    expect(isLatestTag('latest')).toBe(true);
    expect(isLatestTag('^1')).toBe(false);
    expect(compareVersions('1.0.0+a', '1.0.0+b')).toBe(0);
    expect(compareVersions('1.0.0-alpha', '1.0.0')).toBe(-1);
  });
});

describe('parseSpec', () => {
  it('splits name@range, keeping the scope', () => {
    expect(parseSpec('left-pad')).toEqual({ name: 'left-pad', range: 'latest' });
    expect(parseSpec('left-pad@^1.0.0')).toEqual({ name: 'left-pad', range: '^1.0.0' });
    expect(parseSpec('@acme/tool@>=1.0.0,<2')).toEqual({ name: '@acme/tool', range: '>=1.0.0,<2' });
    expect(parseSpec('@acme/tool@')).toEqual({ name: '@acme/tool', range: 'latest' });
    expect(parseSpec('Bad@1')).toBeNull();
    expect(parseSpec('x'.repeat(5000))).toBeNull();
  });
});
