import { describe, expect, it } from 'vitest';
import { craftPackage } from '../../fixtures/cases.js';
import { craftZip, extraField } from '../../fixtures/zip-craft.js';
import { IoTaggingReader } from '../../src/package/file-reader.js';
import { parseExtraFields, readArchiveEnd, readDataDescriptor, readLocalHeader, readUInt64, WindowedReader } from '../../src/package/zip-records.js';
import { expectCode } from '../helpers/expect-code.js';
import { BufferReader } from './helpers/readers.js';

const end = (bytes: Buffer) => readArchiveEnd(new IoTaggingReader(new BufferReader(bytes), bytes.length), bytes.length);

describe('readArchiveEnd', () => {
  it('finds the end record and the central directory of a plain and a ZIP64 archive', async () => {
    const plain = craftPackage();
    const e = await end(plain);
    expect(e).toMatchObject({ eocdOffset: plain.length - 22, zip64: false, entryCount: 3, centralDirectoryEnd: plain.length - 22 });
    const z = await end(craftPackage({}, { zip64End: true }));
    expect(z.zip64).toBe(true);
    expect(z.entryCount).toBe(3);
  });

  it('allows an archive comment and refuses what follows the record', async () => {
    await expect(end(craftPackage({}, { comment: Buffer.from('hello') }))).resolves.toMatchObject({ entryCount: 3 });
    await expectCode(() => end(craftPackage({}, { trailing: Buffer.from('x') })), 'E_PKG_TRAILING_DATA');
    await expectCode(() => end(Buffer.alloc(10)), 'E_PKG_NOT_ZIP');
    await expectCode(() => end(Buffer.alloc(100)), 'E_PKG_NOT_ZIP');
  });
});

describe('local headers and descriptors', () => {
  it('reads a local header through the window and finds the data', async () => {
    const bytes = craftZip([{ name: 'a.txt', data: 'hello', method: 0 }]);
    const read = new WindowedReader(new IoTaggingReader(new BufferReader(bytes), bytes.length), bytes.length).read;
    const h = await readLocalHeader(read, 0, bytes.length, 5, 'a.txt');
    expect(h).toMatchObject({ method: 0, compressedSize: 5, uncompressedSize: 5, dataStart: 35, zip64: false });
    expect(h.nameRaw.toString()).toBe('a.txt');
    await expectCode(() => readLocalHeader(read, 3, bytes.length, 5, 'a.txt'), 'E_PKG_ZIP_CORRUPT');
    await expectCode(() => readLocalHeader(read, bytes.length - 10, bytes.length, 5, 'a.txt'), 'E_PKG_ZIP_CORRUPT');
  });

  it('reads descriptors with and without signature, 4- or 8-byte sizes', async () => {
    for (const descriptor of [{ signature: true }, { signature: false }, { signature: true, wide: true }, { signature: false, wide: true }]) {
      const bytes = craftZip([{ name: 'a.txt', data: 'hello', method: 0, descriptor }]);
      const read = new WindowedReader(new IoTaggingReader(new BufferReader(bytes), bytes.length), bytes.length).read;
      const d = await readDataDescriptor(read, 35 + 5, bytes.length, { crc32: 0x3610a686, compressedSize: 5, uncompressedSize: 5 }, false);
      expect(d, JSON.stringify(descriptor)).toMatchObject({ crc32: 0x3610a686, compressedSize: 5, uncompressedSize: 5, length: (descriptor.signature ? 4 : 0) + (descriptor.wide ? 20 : 12) });
    }
  });
});

describe('extra fields and 64-bit values', () => {
  it('splits records and refuses one that runs past its block', async () => {
    const block = Buffer.concat([extraField(1, Buffer.alloc(8)), extraField(0x7075, Buffer.from([1, 0, 0, 0, 0]))]);
    expect(parseExtraFields(block, 'x').map((f) => f.id)).toEqual([1, 0x7075]);
    await expectCode(() => parseExtraFields(Buffer.from([1, 0, 9, 0, 1]), 'x'), 'E_PKG_ZIP_CORRUPT');
  });

  it('refuses 64-bit values beyond 2^53', async () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(2n ** 60n);
    await expectCode(() => readUInt64(b, 0), 'E_PKG_ZIP_CORRUPT');
    b.writeBigUInt64LE(123n);
    expect(readUInt64(b, 0)).toBe(123);
  });
});
