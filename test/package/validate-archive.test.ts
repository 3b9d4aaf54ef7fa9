/** Direct cases for validateArchive / validateArchiveFile; the refusals themselves are in fixtures.test.ts. */
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { craftPackage, packageEntries } from '../../fixtures/cases.js';
import { craftZip } from '../../fixtures/zip-craft.js';
import { INVALID_DIR, VALID_DIR } from '../../fixtures/build.js';
import { FileReader } from '../../src/package/file-reader.js';
import { SMALL_ARCHIVE_BYTES } from '../../src/limits.js';
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

describe('entries larger than one read (the chunked path)', () => {
  const big = randomBytes(900 * 1024);
  const text = Buffer.from('pakt '.repeat(300_000));
  const codesOf = async (bytes: Buffer) => (await validateArchive(new BufferReader(bytes), bytes.length)).errors.map((e) => e.code);

  it('accepts large deflated and stored entries', async () => {
    expect(await codesOf(craftPackage({ files: [{ name: 'big.bin', data: big }, { name: 'stored.bin', data: big, method: 0 }, { name: 'text.txt', data: text }] }))).toEqual([]);
  });

  it('stops a large entry at the first byte past its declared size', async () => {
    expect(await codesOf(craftPackage({ files: [{ name: 'big.bin', data: big, uncompressedSize: big.length - 1 }] }))).toContain('E_PKG_SIZE_MISMATCH');
  });

  it('refuses a large entry shorter than declared, and a damaged large deflate stream', async () => {
    const raw = zlib.deflateRawSync(big);
    expect(await codesOf(craftPackage({ files: [{ name: 'short.bin', data: big, uncompressedSize: big.length + 10 }] }))).toContain('E_PKG_SIZE_MISMATCH');
    const damaged = Buffer.from(raw);
    damaged.fill(0xff, 1000, 1100);
    expect(await codesOf(craftPackage({ files: [{ name: 'bad.bin', data: big, raw: damaged }] }))).toEqual(expect.arrayContaining([expect.stringMatching(/E_PKG_(DATA_CORRUPT|CRC_MISMATCH|SIZE_MISMATCH)/)]));
    const truncated = raw.subarray(0, raw.length - 5000);
    expect(await codesOf(craftPackage({ files: [{ name: 'cut.bin', data: big, raw: truncated }] }))).toEqual(expect.arrayContaining([expect.stringMatching(/E_PKG_(DATA_CORRUPT|SIZE_MISMATCH)/)]));
  });

  it('refuses bytes hidden after the end of a deflate stream, in a small or a large entry', async () => {
    for (const data of [Buffer.from('small'), big]) {
      const raw = Buffer.concat([zlib.deflateRawSync(data), randomBytes(300 * 1024)]);
      expect(await codesOf(craftPackage({ files: [{ name: 'carrier.bin', data, raw }] }))).toEqual(['E_PKG_UNREFERENCED_DATA']);
    }
  });

  it('keeps a large stored manifest.json intact across reused buffers', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({ name: `f/${i}.txt`, data: `${i}` }));
    // The manifest (over 256 KiB) is stored uncompressed so it takes the chunked path.
    const bytes = craftZip(packageEntries({ files: entries }).map((e) => (e.name === 'manifest.json' ? { ...e, method: 0 } : e)));
    expect(bytes.length).toBeGreaterThan(256 * 1024);
    const report = await validateArchive(new BufferReader(bytes), bytes.length);
    expect(report.errors).toEqual([]);
    expect(Object.keys(report.manifest!.files).length).toBe(3000);
  });
});

describe('small archives read whole (validateArchiveFile under SMALL_ARCHIVE_BYTES)', () => {
  // Every hostile and valid fixture is far below the threshold, so fixtures.test.ts runs them all
  // through the in-memory path; here each must get exactly the report the descriptor path gives.
  const files = [
    ...readdirSync(INVALID_DIR).filter((f) => f.endsWith('.zip')).map((f) => path.join(INVALID_DIR, f)),
    ...readdirSync(VALID_DIR).filter((f) => f.endsWith('.zip')).map((f) => path.join(VALID_DIR, f)),
  ].sort();

  it('the fixtures are small enough to take the in-memory path', () => {
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(statSync(f).size).toBeLessThanOrEqual(SMALL_ARCHIVE_BYTES);
  });

  it.each(files.map((f) => [path.basename(path.dirname(f)) + '/' + path.basename(f), f]))('%s: same report from memory as through the descriptor', async (_label, file) => {
    const fromMemory = await validateArchiveFile(file);
    const fd = openSync(file, 'r');
    try {
      const throughDescriptor = await validateArchive(new FileReader(fd), fstatSync(fd).size);
      expect(fromMemory).toEqual(throughDescriptor);
    } finally {
      closeSync(fd);
    }
  });

  it('an archive above the threshold is still read through the descriptor, and validates', async () => {
    const file = path.join(work, 'above-threshold.zip');
    const bytes = craftPackage({ files: [{ name: 'big.bin', data: randomBytes(SMALL_ARCHIVE_BYTES + 1024) }] });
    writeFileSync(file, bytes);
    expect(bytes.length).toBeGreaterThan(SMALL_ARCHIVE_BYTES);
    expect((await validateArchiveFile(file)).errors).toEqual([]);
  });
});
