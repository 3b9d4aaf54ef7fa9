/**
 * Folder-driven: every archive in fixtures/packages/invalid/ must be refused with the code its
 * name starts with, and every archive in fixtures/packages/valid/ must validate (and each valid
 * source folder must pack into an archive that validates). `npm run fixtures` regenerates them.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOSTILE_CASES, VALID_CRAFTED } from '../../fixtures/cases.js';
import { INVALID_DIR, VALID_DIR, validSourceFolders } from '../../fixtures/build.js';
import { isErrorCode } from '../../src/errors.js';
import { PACKAGE_ERRORS } from '../../src/error-catalogue/package.js';
import { packDirectory } from '../../src/package/pack.js';
import { validateArchiveFile } from '../../src/package/validate-archive.js';

const invalid = readdirSync(INVALID_DIR).filter((f) => f.endsWith('.zip')).sort();
const valid = readdirSync(VALID_DIR).filter((f) => f.endsWith('.zip')).sort();
const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-fixtures-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('invalid fixtures: refused with the code in their name', () => {
  it('are all there (one file per case in fixtures/cases.ts; run `npm run fixtures`)', () => {
    expect(invalid).toEqual(HOSTILE_CASES.map(([f]) => f).sort());
  });

  it.each(invalid)('%s', async (file) => {
    const expected = file.split('--')[0]!;
    expect(isErrorCode(expected), `${expected} is not a catalogued code`).toBe(true);
    const report = await validateArchiveFile(path.join(INVALID_DIR, file));
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.code)).toContain(expected);
    for (const e of report.errors) {
      expect(isErrorCode(e.code)).toBe(true);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });
});

describe('coverage of the catalogue', () => {
  it('every E_PKG_* code has an invalid fixture, or is generated at test time (too large to commit)', () => {
    const generatedAtTestTime = new Set(['E_PKG_ARCHIVE_TOO_LARGE']); // test/package/generated-hostile.test.ts
    const covered = new Set(invalid.map((f) => f.split('--')[0]));
    const missing = Object.keys(PACKAGE_ERRORS).filter((code) => !covered.has(code) && !generatedAtTestTime.has(code));
    expect(missing).toEqual([]);
  });
});

describe('valid fixtures', () => {
  it('include every source folder and crafted variant', () => {
    expect(valid).toEqual([...validSourceFolders().map((n) => `${n}.zip`), ...VALID_CRAFTED.map(([f]) => f)].sort());
  });

  it.each(valid)('%s validates', async (file) => {
    const report = await validateArchiveFile(path.join(VALID_DIR, file));
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.metadata?.name).toBe(report.name);
    expect(report.manifest?.version).toBe(report.version);
  });

  it.each(validSourceFolders())('source folder %s packs to an archive that validates, listing every file', async (name) => {
    const copy = path.join(work, name);
    cpSync(path.join(VALID_DIR, name), copy, { recursive: true });
    const result = await packDirectory(copy, { outFile: path.join(work, `${name}.zip`) });
    const report = await validateArchiveFile(result.file);
    expect(report.valid).toBe(true);
    const committed = JSON.parse(readFileSync(path.join(VALID_DIR, name, 'manifest.json'), 'utf8'));
    expect(report.manifest).toEqual(committed);
  });

  it('keep unknown metadata fields unchanged and accept comma ranges', async () => {
    const report = await validateArchiveFile(path.join(VALID_DIR, 'comma-ranges.zip'));
    expect(report.metadata?.['x-custom-field']).toEqual({ kept: 'unchanged' });
    expect(report.metadata?.dependencies?.['left-pad']).toBe('>=1.0.0,<2.0.0');
    expect(report.version).toBe('2.0.0-beta.1+build.5');
  });

  it('zip64 and streamed archives really use ZIP64 records and data descriptors', () => {
    const zip64 = readFileSync(path.join(VALID_DIR, 'zip64.zip'));
    expect(zip64.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const streamed = readFileSync(path.join(VALID_DIR, 'streamed.zip'));
    const flags = streamed.readUInt16LE(6);
    expect(flags & 0x8).toBe(0x8);
  });
});
