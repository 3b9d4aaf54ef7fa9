import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../src/package/strict-json.js';
import { expectCode } from '../helpers/expect-code.js';

const opts = { maxDepth: 64, source: 'metadata.json' };
const parse = (text: string | Uint8Array) => parseStrictJson(text, opts);

describe('parseStrictJson', () => {
  it('parses what JSON.parse parses, to the same value', () => {
    const samples = ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n\\"\\\\\\/"', 'true', 'false', 'null', ' { "a" : [1, {"b": null}], "c": "d" } ', '[1e400]', '"\\ud83c\\udf89"'];
    for (const s of samples) expect(parse(s), s).toEqual(JSON.parse(s));
  });

  it('returns plain objects (ordinary prototype) with every key kept', () => {
    const value = parse('{"toString": 1, "hasOwnProperty": 2, "nested": {"valueOf": 3}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value['toString']).toBe(1);
    expect(Object.keys(value)).toEqual(['toString', 'hasOwnProperty', 'nested']);
  });

  it('refuses duplicate keys, naming the key and where it is', async () => {
    const err = await expectCode(() => parse('{"a": {"b": 1, "b": 2}}'), 'E_PKG_JSON_DUPLICATE_KEY');
    expect(err.message).toMatch(/'b'.*\/a\/b/);
    await expectCode(() => parse('{"a":1,"a":1}'), 'E_PKG_JSON_DUPLICATE_KEY');
  });

  it('refuses __proto__, constructor and prototype keys at any depth, also when escaped', async () => {
    for (const text of ['{"__proto__": {}}', '{"a": [{"constructor": 1}]}', '{"prototype": null}', '{"__pro\\u0074o__": 1}']) {
      await expectCode(() => parse(text), 'E_PKG_JSON_FORBIDDEN_KEY');
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('allows exactly maxDepth levels and refuses one more', async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parse(nest(64))).not.toThrow();
    await expectCode(() => parse(nest(65)), 'E_PKG_JSON_TOO_DEEP');
    await expectCode(() => parse('{"a":'.repeat(65) + '1' + '}'.repeat(65)), 'E_PKG_JSON_TOO_DEEP');
    // Far deeper input fails cleanly instead of overflowing the stack.
    await expectCode(() => parse(nest(100_000)), 'E_PKG_JSON_TOO_DEEP');
  });

  it('refuses syntax errors with a line and column', async () => {
    const err = await expectCode(() => parse('{\n  "a": 1,\n}'), 'E_PKG_JSON_SYNTAX');
    expect(err.message).toMatch(/line 3, column 1/);
    for (const bad of ['', '{', '{"a"}', '[1,]', '01', '1.', '.5', '+1', 'NaN', "{'a':1}", '"tab\there"', '"\\x41"', '"\\u12"', 'tru', '{} {}', '"unterminated', '[1 2]', '-', '1e']) {
      await expectCode(() => parse(bad), 'E_PKG_JSON_SYNTAX');
    }
  });

  it('refuses invalid UTF-8 and a byte-order mark', async () => {
    await expectCode(() => parse(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])), 'E_PKG_JSON_SYNTAX');
    const bom = await expectCode(() => parse(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), 'E_PKG_JSON_SYNTAX');
    expect(bom.message).toMatch(/byte-order mark/);
    expect(parse(new TextEncoder().encode('{"é": "ü"}'))).toEqual({ é: 'ü' });
  });

  it('is total: random junk gives a value or a coded error, never anything else', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = '{}[]",:0123456789.eE+-truefalsn \\u\n\t_\u00e9';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = next() % 40;
      for (let j = 0; j < n; j++) s += alphabet[next() % alphabet.length];
      try {
        parse(s);
      } catch (err) {
        expect(['E_PKG_JSON_SYNTAX', 'E_PKG_JSON_DUPLICATE_KEY', 'E_PKG_JSON_FORBIDDEN_KEY', 'E_PKG_JSON_TOO_DEEP'], s).toContain((err as { code?: string }).code);
      }
    }
  });
});
