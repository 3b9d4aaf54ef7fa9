import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import { renderErrorDocs } from '../../scripts/error-docs.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const docs = readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');

describe('error catalogue and docs/errors.md', () => {
  it('docs/errors.md is generated from the current catalogue (run `npm run docs:errors`)', () => {
    expect(docs).toBe(renderErrorDocs());
  });

  it('documents every code, and documents no code that does not exist', () => {
    const documented = new Set([...docs.matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('every code has a meaning, a hint that says what to do, and a consistent fault class', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      expect(code, code).toMatch(/^E_[A-Z0-9_]+$/);
      expect(spec.meaning.length, code).toBeGreaterThan(10);
      expect(spec.hint.length, code).toBeGreaterThan(10);
      expect(spec.userFault ? spec.status < 500 || spec.exit === 2 || code.startsWith('E_PROVIDER') || code === 'E_CLOSED' || code === 'E_LIMIT_INVALID' : spec.status >= 500, code).toBe(true);
    }
  });
});
