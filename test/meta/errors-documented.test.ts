import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import { parseReleasedCodes, readReleasedCodes, renderErrorDocs, RELEASED_CODES_FILE } from '../../scripts/error-docs.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const docs = readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');
const catalogue = Object.keys(ERROR_CATALOGUE);

describe('error catalogue and docs/errors.md', () => {
  it('docs/errors.md is generated from the current catalogue (run `npm run docs:errors`)', () => {
    expect(docs).toBe(renderErrorDocs());
  });

  it('documents every code, and documents no code that does not exist', () => {
    const documented = new Set([...docs.matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...catalogue].sort());
  });

  it('every code has a meaning, a hint, and a fault class that matches its status', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      expect(code, code).toMatch(/^E_[A-Z0-9_]+$/);
      expect(spec.meaning.length, code).toBeGreaterThan(10);
      expect(spec.hint.length, code).toBeGreaterThan(10);
      // The caller's fault exactly when the status says so: no exceptions.
      expect(spec.userFault, `${code}: status ${spec.status}`).toBe(spec.status < 500);
      // Exit 2 (usage) is a caller's mistake.
      if (spec.exit === 2) expect(spec.userFault, code).toBe(true);
    }
  });
});

describe('released codes (src/error-catalogue/released-codes.txt)', () => {
  const snapshot = readReleasedCodes();

  it('lists every code of the catalogue (run `npm run docs:errors` to add a new one)', () => {
    const listed = new Set(snapshot.released);
    expect(catalogue.filter((code) => !listed.has(code))).toEqual([]);
  });

  it('keeps every released code: one that left the catalogue is marked retired, never deleted', () => {
    const inUse = new Set(catalogue);
    const retired = new Set(snapshot.retired);
    expect(snapshot.released.filter((code) => !inUse.has(code) && !retired.has(code))).toEqual([]);
  });

  it('never reuses a retired code', () => {
    expect(snapshot.retired.filter((code) => Object.hasOwn(ERROR_CATALOGUE, code))).toEqual([]);
  });

  it('is sorted, without duplicates, so that parallel additions merge line by line', () => {
    expect(snapshot.released).toEqual([...new Set(snapshot.released)].sort());
  });

  it('reads retired markers and ignores comments', () => {
    expect(parseReleasedCodes('# E_NOT_A_CODE in a comment\nE_A\nE_B retired\n')).toEqual({ header: ['# E_NOT_A_CODE in a comment'], released: ['E_A', 'E_B'], retired: ['E_B'] });
    expect(RELEASED_CODES_FILE.endsWith(path.join('src', 'error-catalogue', 'released-codes.txt'))).toBe(true);
  });
});
