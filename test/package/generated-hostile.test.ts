/**
 * Hostile archives too large to commit, generated here: a real deflate bomb, a bomb that lies
 * about its size, an overlapping-entry bomb, a 2 GiB sparse file, entry floods, oversized
 * documents. Also: every problem is reported, not just the first, and the report is capped.
 */
import { mkdtempSync, rmSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { craftPackage, jsonDoc, packageEntries, BASE_METADATA } from '../../fixtures/cases.js';
import { exemptEntryFlood } from '../../fixtures/floods.js';
import { craftZip, type CraftEntry } from '../../fixtures/zip-craft.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { MAX_REPORTED_ISSUES, validateArchive, validateArchiveFile } from '../../src/package/validate-archive.js';
import { BufferReader } from './helpers/readers.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MiB = 2 ** 20;

async function codesOf(bytes: Buffer, limits?: Parameters<typeof validateArchive>[2]) {
  const reader = new BufferReader(bytes);
  const report = await validateArchive(reader, bytes.length, limits);
  return { codes: report.errors.map((e) => e.code), report, reads: reader.reads };
}

describe('bombs', () => {
  it('a real deflate bomb (64 MiB of zeros in ~64 KiB) is refused on its ratio without being inflated', async () => {
    const zeros = Buffer.alloc(64 * MiB);
    const raw = zlib.deflateRawSync(zeros, { level: 9 });
    expect(zeros.length / raw.length).toBeGreaterThan(DEFAULT_LIMITS.maxCompressionRatio);
    const bytes = craftPackage({ files: [{ name: 'zeros.bin', raw, method: 8, uncompressedSize: zeros.length, crc: zlib.crc32(zeros) }], manifest: (m: object) => m });
    const { codes } = await codesOf(bytes);
    expect(codes).toContain('E_PKG_COMPRESSION_RATIO');
  });

  it('a bomb that declares 10 bytes is stopped at the 11th inflated byte', async () => {
    const raw = zlib.deflateRawSync(Buffer.alloc(32 * MiB), { level: 9 });
    const bytes = craftPackage({ files: [{ name: 'liar.bin', raw, method: 8, uncompressedSize: 10, crc: 0 }] });
    const { codes, report } = await codesOf(bytes);
    expect(codes).toContain('E_PKG_SIZE_MISMATCH');
    expect(report.errors.find((e) => e.code === 'E_PKG_SIZE_MISMATCH')?.message).toMatch(/more than the 10 bytes/);
  });

  it('an overlapping-entry bomb (1000 central records sharing one kernel) is refused before inflating', async () => {
    const kernel = Buffer.alloc(900 * 1024, 0x61);
    const entries: CraftEntry[] = packageEntries({ files: [{ name: 'kernel.bin', data: kernel }] });
    const bytes = craftZip(entries, { extraCentral: Array.from({ length: 1000 }, (_, i) => ({ index: 2, name: `copy-${i}.bin` })) });
    const { codes } = await codesOf(bytes);
    expect(codes).toContain('E_PKG_ENTRY_OVERLAP');
    expect(codes).not.toContain('E_PKG_CRC_MISMATCH');
  });
});

describe('the cost of inflating: the archive as a whole against its size', () => {
  it('8,000 zero-filled entries just under the ratio exemption (7.8 GiB from 9 MB) are refused without inflating one', async () => {
    const bytes = exemptEntryFlood();
    expect(bytes.length).toBeLessThan(10 * MiB);
    const inflateSync = vi.spyOn(zlib, 'inflateRawSync');
    const inflateStream = vi.spyOn(zlib, 'createInflateRaw');
    const { codes, report } = await codesOf(bytes);
    expect(codes).toEqual(['E_PKG_COMPRESSION_RATIO']);
    expect(report.errors[0]!.message).toMatch(/^the entries declare 83\d{8} uncompressed bytes in total, \d+ times the \d+-byte archive; max is 100:1 .*limits\.maxTotalCompressionRatio/);
    // Refused from the central directory: not one entry was inflated (local headers are still read).
    expect(inflateSync).not.toHaveBeenCalled();
    expect(inflateStream).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('an archive unpacking to less than totalCompressionRatioExemptBytes is exempt, however well it compresses', async () => {
    const bytes = exemptEntryFlood({ count: 63 });
    const { codes, report } = await codesOf(bytes);
    expect(codes).toEqual([]);
    expect(report.unpackedBytes).toBe(63 * (MiB - 1));
  });

  it('both limits are the host\'s to set', async () => {
    const bytes = exemptEntryFlood({ count: 20 });
    expect((await codesOf(bytes, { limits: { totalCompressionRatioExemptBytes: MiB } })).codes).toEqual(['E_PKG_COMPRESSION_RATIO']);
    expect((await codesOf(bytes, { limits: { totalCompressionRatioExemptBytes: MiB, maxTotalCompressionRatio: 5000 } })).codes).toEqual([]);
  });
});

describe('size and count limits', () => {
  it('an archive over 2 GiB is refused from its size alone (sparse file)', async () => {
    const file = path.join(work, 'huge.zip');
    const fd = openSync(file, 'w');
    try {
      ftruncateSync(fd, DEFAULT_LIMITS.maxArchiveBytes + 1);
    } finally {
      closeSync(fd);
    }
    const report = await validateArchiveFile(file);
    expect(report.errors.map((e) => e.code)).toEqual(['E_PKG_ARCHIVE_TOO_LARGE']);
    rmSync(file);
  });

  it('50,001 real entries are refused by count (default limit)', async () => {
    const files: CraftEntry[] = Array.from({ length: DEFAULT_LIMITS.maxEntries - 1 }, (_, i) => ({ name: `f/${i}`, method: 0 }));
    const { codes } = await codesOf(craftPackage({ files }));
    expect(codes).toEqual(['E_PKG_TOO_MANY_ENTRIES']);
  });

  it('the entry limit counts central records even when the end record lies low', async () => {
    const bytes = craftPackage({ files: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, { eocd: { entryCount: 2, entriesOnDisk: 2 } });
    const { codes } = await codesOf(bytes, { limits: { maxEntries: 4 } });
    expect(codes).toContain('E_PKG_ZIP_CORRUPT');
  });

  it('uncompressed total over the limit', async () => {
    const files = [{ name: 'a.txt', data: 'a'.repeat(600) }, { name: 'b.txt', data: 'b'.repeat(600) }];
    const { codes } = await codesOf(craftPackage({ files }), { limits: { maxUncompressedBytes: 1000 } });
    expect(codes).toEqual(['E_PKG_UNCOMPRESSED_TOO_LARGE']);
  });

  it('metadata.json over 1 MiB is refused before parsing (stored, so the ratio is 1)', async () => {
    const metadata = jsonDoc({ ...BASE_METADATA, description: 'x'.repeat(MiB) });
    const entries = packageEntries({ files: [] }).map((e) => (e.name === 'metadata.json' ? { ...e, data: metadata, method: 0 } : e));
    const { codes } = await codesOf(craftZip(entries));
    expect(codes).toEqual(['E_PKG_JSON_TOO_LARGE']);
  });

  it('manifest.json over its limit', async () => {
    const { codes } = await codesOf(craftPackage(), { limits: { maxManifestBytes: 50 } });
    expect(codes).toEqual(['E_PKG_JSON_TOO_LARGE']);
  });

  it('a path of exactly maxPathBytes is fine; one byte more is refused', async () => {
    const at = (n: number) => 'd/'.repeat(500) + 'f'.repeat(n - 1000);
    const ok = at(1024);
    expect(Buffer.byteLength(ok)).toBe(1024);
    expect((await codesOf(craftPackage({ files: [{ name: ok, data: 'x' }] }))).codes).toEqual([]);
    const long = at(1025);
    expect(Buffer.byteLength(long)).toBe(1025);
    expect((await codesOf(craftPackage({ files: [{ name: long, data: 'x' }] }))).codes).toContain('E_PKG_PATH_TOO_LONG');
  });

  it('a ratio above 1000:1 is fine under 1 MiB (exempt)', async () => {
    const small = Buffer.alloc(MiB - 1);
    const { codes } = await codesOf(craftPackage({ files: [{ name: 'zeros.bin', data: small }] }));
    expect(codes).toEqual([]);
  });
});

describe('reporting', () => {
  it('reports every problem of a readable archive, not only the first', async () => {
    const bytes = craftPackage({
      metadata: { ...BASE_METADATA, version: '1.0', dependencies: { x: 'banana' } },
      files: [
        { name: '../up.txt', data: 'a' },
        { name: 'lib/link', data: 'target', method: 0, externalAttributes: (0o120777 << 16) >>> 0 },
        { name: 'crc.txt', data: 'crc', crc: 1 },
        { name: 'unlisted.txt', data: 'u' },
      ],
      unlisted: ['unlisted.txt'],
      manifest: (m: { files: object }) => ({ ...m, version: '1.0', files: { ...m.files, 'gone.txt': { hash: '0'.repeat(64) } } }),
    });
    const { codes } = await codesOf(bytes);
    for (const code of ['E_PKG_VERSION_INVALID', 'E_PKG_RANGE_INVALID', 'E_PKG_PATH_TRAVERSAL', 'E_PKG_SYMLINK', 'E_PKG_CRC_MISMATCH', 'E_PKG_FILE_UNLISTED', 'E_PKG_FILE_MISSING']) {
      expect(codes, code).toContain(code);
    }
  });

  it(`caps the report at ${MAX_REPORTED_ISSUES} problems`, async () => {
    const files = Array.from({ length: MAX_REPORTED_ISSUES + 200 }, (_, i) => ({ name: `u/${i}.txt`, data: `${i}` }));
    const { report } = await codesOf(craftPackage({ files, unlisted: files.map((f) => f.name) }));
    expect(report.errors.length).toBe(MAX_REPORTED_ISSUES);
    expect(report.errors.at(-1)?.message).toMatch(/not reported/);
  });

  it('the report of a valid package carries its documents and counts', async () => {
    const { report } = await codesOf(craftPackage({ files: [{ name: 'a.txt', data: 'abc' }, { name: 'dir/' }, { name: 'dir/b.txt', data: 'de' }] }));
    expect(report).toMatchObject({ valid: true, name: 'hostile', version: '1.0.0', fileCount: 2, unpackedBytes: 5 });
    expect(Object.getPrototypeOf(report.metadata)).toBe(Object.prototype);
  });

  it('an empty ZIP (22 bytes) is refused for its missing documents, not as corrupt', async () => {
    const { codes } = await codesOf(craftZip([]));
    expect(codes).toEqual(['E_PKG_METADATA_MISSING', 'E_PKG_MANIFEST_MISSING']);
  });
});
