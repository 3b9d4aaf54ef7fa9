import { describe, expect, it } from 'vitest';
import { checkArchivePath, collisionKey, showPath } from '../../src/package/archive-path.js';

const codes = (p: string, max = 1024) => checkArchivePath(p, max).map((x) => x.code);

describe('checkArchivePath', () => {
  // [path, expected codes]
  const table: Array<[string, string[]]> = [
    ['lib/index.js', []],
    ['a', []],
    ['données/日本語.txt', []],
    ['.hidden/file', []],
    ['a..b/c', []],
    ['...', []],
    ['/etc/passwd', ['E_PKG_PATH_ABSOLUTE']],
    ['C:/x', ['E_PKG_PATH_ABSOLUTE']],
    ['c:x', ['E_PKG_PATH_ABSOLUTE']],
    ['..', ['E_PKG_PATH_TRAVERSAL']],
    ['a/../b', ['E_PKG_PATH_TRAVERSAL']],
    ['a\\b', ['E_PKG_PATH_BACKSLASH']],
    ['..\\x', ['E_PKG_PATH_BACKSLASH']],
    ['a//b', ['E_PKG_PATH_SEGMENT_INVALID']],
    ['./a', ['E_PKG_PATH_SEGMENT_INVALID']],
    ['a/./b', ['E_PKG_PATH_SEGMENT_INVALID']],
    ['a/', ['E_PKG_PATH_SEGMENT_INVALID']],
    ['', ['E_PKG_PATH_SEGMENT_INVALID']],
    ['a\u0000b', ['E_PKG_PATH_CONTROL_CHAR']],
    ['a\nb', ['E_PKG_PATH_CONTROL_CHAR']],
    ['a\u007fb', ['E_PKG_PATH_CONTROL_CHAR']],
    ['a\u0085b', ['E_PKG_PATH_CONTROL_CHAR']],
    ['cafe\u0301', ['E_PKG_PATH_NOT_NFC']],
    ['/../a\\b', ['E_PKG_PATH_BACKSLASH', 'E_PKG_PATH_ABSOLUTE', 'E_PKG_PATH_TRAVERSAL']],
  ];
  it.each(table)('%j → %j', (p, expected) => {
    expect(codes(p)).toEqual(expected);
  });

  it('caps the length in UTF-8 bytes before any other rule runs', () => {
    expect(codes('é'.repeat(512))).toEqual([]);
    expect(codes('é'.repeat(513))).toEqual(['E_PKG_PATH_TOO_LONG']);
    expect(codes('../'.repeat(400))).toEqual(['E_PKG_PATH_TOO_LONG']);
    expect(codes('abc', 2)).toEqual(['E_PKG_PATH_TOO_LONG']);
  });
});

describe('collisionKey', () => {
  it('collides case, NFC/NFD and full case folding', () => {
    expect(collisionKey('README.md')).toBe(collisionKey('readme.MD'));
    expect(collisionKey('caf\u00e9')).toBe(collisionKey('cafe\u0301'));
    expect(collisionKey('straße')).toBe(collisionKey('STRASSE'));
    expect(collisionKey('\u212a')).toBe(collisionKey('k'));
    expect(collisionKey('a/b')).not.toBe(collisionKey('a/c'));
  });
});

describe('showPath', () => {
  it('makes control characters visible and cuts long paths', () => {
    expect(showPath('a\nb')).toBe('a\\nb');
    expect(showPath('x'.repeat(300)).length).toBeLessThan(210);
  });
});

describe('showPath with combining marks', () => {
  it('makes NFD visible next to NFC', () => {
    expect(showPath('cafe\u0301.txt')).toBe('cafe\\u0301.txt');
    expect(showPath('caf\u00e9.txt')).toBe('caf\u00e9.txt');
  });
});
