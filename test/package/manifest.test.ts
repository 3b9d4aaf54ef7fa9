import { describe, expect, it } from 'vitest';
import { buildManifest, comparePaths, serializeJson } from '../../src/package/manifest.js';

describe('manifest building', () => {
  it('sorts paths by UTF-8 bytes, whatever the locale', () => {
    const paths = ['b', 'a/z', 'B', 'é', 'a', 'a/b', 'Z', '日本'];
    expect([...paths].sort(comparePaths)).toEqual(['B', 'Z', 'a', 'a/b', 'a/z', 'b', 'é', '日本']);
  });

  it('lists every file with hash and size, keys in order', () => {
    const m = buildManifest('x', '1.0.0', [{ path: 'b', hash: 'h2', size: 2 }, { path: 'a', hash: 'h1', size: 1 }]);
    expect(Object.keys(m.files)).toEqual(['a', 'b']);
    expect(m).toEqual({ name: 'x', version: '1.0.0', files: { a: { hash: 'h1', size: 1 }, b: { hash: 'h2', size: 2 } } });
    expect(serializeJson(m).toString()).toBe(JSON.stringify(m, null, 2) + '\n');
  });
});
