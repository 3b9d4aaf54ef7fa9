import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const doc = readFileSync(path.join(ROOT, 'docs', 'limits.md'), 'utf8');

describe('docs/limits.md', () => {
  it('lists every limit with its default, and no limit that does not exist', () => {
    const rows = [...doc.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
    for (const [name, shown] of rows) {
      const value = DEFAULT_LIMITS[name as keyof typeof DEFAULT_LIMITS];
      // The exact number, in the row: "1 MiB (1,048,576)" or "1,024".
      expect(shown.replace(/.*\(|\).*/g, '').replace(/,/g, ''), name).toBe(String(value));
    }
  });
});
