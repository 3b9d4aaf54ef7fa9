import { describe, expect, it } from 'vitest';
import { unicodePathField } from '../../fixtures/zip-craft.js';
import { decodeEntryName } from '../../src/package/entry-name.js';
import { parseExtraFields } from '../../src/package/zip-records.js';

const fields = (raw: Buffer) => parseExtraFields(raw, 'test');

describe('decodeEntryName', () => {
  it('reads UTF-8 names with or without the flag', () => {
    expect(decodeEntryName(Buffer.from('a/b.txt'), 0, [])).toEqual({ name: 'a/b.txt', problems: [] });
    expect(decodeEntryName(Buffer.from('naïve.txt'), 0x800, [])).toEqual({ name: 'naïve.txt', problems: [] });
    expect(decodeEntryName(Buffer.from('naïve.txt'), 0, [])).toEqual({ name: 'naïve.txt', problems: [] });
  });

  it('refuses bytes that are not UTF-8, flagged or not', () => {
    for (const flags of [0, 0x800]) {
      const d = decodeEntryName(Buffer.from([0x63, 0x61, 0x66, 0xe9]), flags, []);
      expect(d.name).toBeNull();
      expect(d.problems.map((p) => p.code)).toEqual(['E_PKG_PATH_NOT_UTF8']);
    }
  });

  it('keeps raw control bytes visible for the path rules to refuse', () => {
    expect(decodeEntryName(Buffer.from([0x61, 0x01]), 0, []).name).toBe('a\u0001');
  });

  it('accepts a Unicode Path field that names the same bytes, refuses one that does not', () => {
    const raw = Buffer.from('docs/naïve.txt');
    expect(decodeEntryName(raw, 0, fields(unicodePathField(raw, 'docs/naïve.txt'))).problems).toEqual([]);
    const other = decodeEntryName(raw, 0, fields(unicodePathField(raw, '../evil.txt')));
    expect(other.problems.map((p) => p.code)).toEqual(['E_PKG_UNICODE_PATH_MISMATCH']);
    const stale = decodeEntryName(raw, 0, fields(unicodePathField(Buffer.from('other'), 'docs/naïve.txt')));
    expect(stale.problems.map((p) => p.code)).toEqual(['E_PKG_UNICODE_PATH_MISMATCH']);
    const malformed = decodeEntryName(raw, 0, [{ id: 0x7075, data: Buffer.from([9]) }]);
    expect(malformed.problems.map((p) => p.code)).toEqual(['E_PKG_UNICODE_PATH_MISMATCH']);
  });
});
