/** Direct cases for validateArchive / validateArchiveFile; the refusals themselves are in fixtures.test.ts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { craftPackage } from '../../fixtures/cases.js';
import { validateArchive, validateArchiveFile } from '../../src/package/validate-archive.js';
import { expectCode } from '../helpers/expect-code.js';
import { BufferReader } from './helpers/readers.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('validateArchiveFile', () => {
  it('rejects what is not a readable file with E_INPUT_NOT_FOUND', async () => {
    await expectCode(() => validateArchiveFile(path.join(work, 'missing.zip')), 'E_INPUT_NOT_FOUND');
    mkdirSync(path.join(work, 'folder.zip'));
    await expectCode(() => validateArchiveFile(path.join(work, 'folder.zip')), 'E_INPUT_NOT_FOUND');
  });

  it('validates through any RandomAccessReader, with limits', async () => {
    const bytes = craftPackage();
    expect((await validateArchive(new BufferReader(bytes), bytes.length)).valid).toBe(true);
    const limited = await validateArchive(new BufferReader(bytes), bytes.length, { limits: { maxArchiveBytes: 100 } });
    expect(limited.errors.map((e) => e.code)).toEqual(['E_PKG_ARCHIVE_TOO_LARGE']);
    await expectCode(() => validateArchive(new BufferReader(bytes), bytes.length, { limits: { maxArchiveBytes: -1 } }), 'E_LIMIT_INVALID');
  });

  it('accepts data descriptors without a signature (APPNOTE 4.3.9.3 makes it optional)', async () => {
    const bytes = craftPackage({ files: [{ name: 'a.txt', data: 'unsigned '.repeat(50), descriptor: { signature: false } }, { name: 'b.txt', data: 'b', descriptor: { signature: false } }] });
    const report = await validateArchive(new BufferReader(bytes), bytes.length);
    expect(report.errors).toEqual([]);
  });

  it('gives name and version from metadata.json even when the package is invalid', async () => {
    const file = path.join(work, 'named.zip');
    writeFileSync(file, craftPackage({ manifest: (m: object) => ({ ...m, version: '9.9.9' }) }));
    const report = await validateArchiveFile(file);
    expect(report).toMatchObject({ valid: false, name: 'hostile', version: '1.0.0' });
    expect(report.metadata).toBeUndefined();
  });
});
