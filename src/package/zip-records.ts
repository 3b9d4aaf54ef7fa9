/**
 * The raw ZIP records the validator reads itself, next to yauzl: the end of the archive (to
 * find bytes after the end record or between the central directory and it), local file headers
 * (to compare them with the central directory), data descriptors and extra fields.
 *
 * Offsets and layouts follow PKWARE's APPNOTE.TXT 6.3.x. Every function throws only
 * RegistryError: E_PKG_* for what the bytes say, E_IO for what the reader says.
 */
import type yauzl from 'yauzl';
import { RegistryError, type ErrorCode } from '../errors.js';
import { readInto, readRange } from './file-reader.js';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

export const EXTRA_ZIP64 = 0x0001;
export const EXTRA_UNICODE_PATH = 0x7075;
export const EXTRA_AES = 0x9901;

const EOCD_BYTES = 22;
const LOCATOR_BYTES = 20;
const MAX_COMMENT_BYTES = 0xffff;

/** Reads exactly `length` bytes at `offset` (a window over the reader, or the reader itself). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/**
 * Serves small reads from one cached window, so walking thousands of small entries (header,
 * data, descriptor, next header) costs one read per window instead of three per entry. The
 * window buffer is allocated once and refilled in place: a returned slice is valid only until
 * the next call, so callers copy what they keep.
 */
export class WindowedReader {
  private start = 0;
  private filled = 0;
  private readonly window: Buffer;

  constructor(
    private readonly reader: yauzl.RandomAccessReader,
    /** Reads never go past this offset (the start of the central directory). */
    private readonly limit: number,
    private readonly windowBytes = 1024 * 1024,
  ) {
    // No larger than the region it can cover: a 20 KB archive must not cost a 1 MiB allocation
    // per validation (at hundreds of publishes a second, that external memory drives the GC).
    this.window = Buffer.allocUnsafe(Math.max(0, Math.min(windowBytes, limit)));
  }

  readonly read: ReadAt = async (offset, length) => {
    if (offset >= this.start && offset + length <= this.start + this.filled) {
      return this.window.subarray(offset - this.start, offset - this.start + length);
    }
    if (length > this.windowBytes / 2 || offset + length > this.limit) return readRange(this.reader, offset, length);
    const fill = Math.min(this.window.length, this.limit - offset);
    this.filled = 0;
    await readInto(this.reader, this.window, 0, fill, offset);
    this.start = offset;
    this.filled = fill;
    return this.window.subarray(0, length);
  };
}

export function zipError(code: ErrorCode, message: string, path?: string): RegistryError {
  return new RegistryError(code, message, path === undefined ? {} : { path });
}

/** 64-bit little-endian as a number; refuses values JavaScript cannot hold exactly. */
export function readUInt64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw zipError('E_PKG_ZIP_CORRUPT', `a ZIP64 field holds ${value}, beyond 2^53`);
  return Number(value);
}

export interface ExtraFieldRecord {
  id: number;
  data: Buffer;
}

/** Splits an extra-field block into its records; a record running past the block is corrupt. */
export function parseExtraFields(raw: Buffer, where: string): ExtraFieldRecord[] {
  const out: ExtraFieldRecord[] = [];
  let i = 0;
  while (i + 4 <= raw.length) {
    const id = raw.readUInt16LE(i);
    const size = raw.readUInt16LE(i + 2);
    const start = i + 4;
    if (start + size > raw.length) throw zipError('E_PKG_ZIP_CORRUPT', `${where}: an extra field (id 0x${id.toString(16)}) runs past the end of its block`);
    out.push({ id, data: raw.subarray(start, start + size) });
    i = start + size;
  }
  // Fewer than 4 stray bytes at the end: some writers pad; they carry no record, so tolerate them.
  return out;
}

export interface ArchiveEnd {
  /** Offset of the end-of-central-directory record. */
  eocdOffset: number;
  /** Where the central directory must end: the ZIP64 end record if there is one, else the EOCD. */
  centralDirectoryEnd: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  entryCount: number;
  zip64: boolean;
}

/**
 * Finds and checks the end of the archive. Mirrors yauzl's search (the last EOCD signature
 * wins) so the two readers agree on which record counts, then adds what yauzl leaves out: the
 * record must end exactly at the end of the file, and the central directory must end exactly
 * where the end records begin.
 */
export async function readArchiveEnd(reader: yauzl.RandomAccessReader, size: number): Promise<ArchiveEnd> {
  if (size < EOCD_BYTES) throw zipError('E_PKG_NOT_ZIP', `the file is ${size} bytes, too short to be a ZIP archive (an empty ZIP is 22 bytes)`);
  const tailLength = Math.min(size, EOCD_BYTES + MAX_COMMENT_BYTES + LOCATOR_BYTES);
  const tailStart = size - tailLength;
  const tail = await readRange(reader, tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      at = i;
      break;
    }
  }
  if (at === -1) throw zipError('E_PKG_NOT_ZIP', 'no end-of-central-directory record found: the file is not a ZIP archive, or it is truncated');
  const eocdOffset = tailStart + at;
  const commentLength = tail.readUInt16LE(at + 20);
  const recordEnd = eocdOffset + EOCD_BYTES + commentLength;
  if (recordEnd < size) {
    throw zipError('E_PKG_TRAILING_DATA', `${size - recordEnd} bytes follow the end-of-central-directory record (which ends at byte ${recordEnd} of ${size})`);
  }
  if (recordEnd > size) {
    throw zipError('E_PKG_NOT_ZIP', `the end-of-central-directory record declares a ${commentLength}-byte comment but the file ends ${recordEnd - size} bytes early: truncated`);
  }
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  const entriesOnDisk = tail.readUInt16LE(at + 8);
  let entryCount = tail.readUInt16LE(at + 10);
  let centralDirectorySize = tail.readUInt32LE(at + 12);
  let centralDirectoryOffset = tail.readUInt32LE(at + 16);
  let centralDirectoryEnd = eocdOffset;
  let zip64 = false;

  const locatorAt = at - LOCATOR_BYTES;
  if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === SIG_ZIP64_LOCATOR) {
    zip64 = true;
    const locatorDisk = tail.readUInt32LE(locatorAt + 4);
    const recordOffset = readUInt64(tail, locatorAt + 8);
    const totalDisks = tail.readUInt32LE(locatorAt + 16);
    if (locatorDisk !== 0 || totalDisks > 1) throw zipError('E_PKG_ZIP_CORRUPT', 'the ZIP64 locator names a multi-disk archive; spanned archives are not packages');
    const locatorOffset = eocdOffset - LOCATOR_BYTES;
    if (recordOffset + 56 > locatorOffset) throw zipError('E_PKG_ZIP_CORRUPT', `the ZIP64 end record offset ${recordOffset} does not leave room for the record before its locator (at ${locatorOffset})`);
    const record = await readRange(reader, recordOffset, 56);
    if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw zipError('E_PKG_ZIP_CORRUPT', `no ZIP64 end-of-central-directory record at offset ${recordOffset}, where the locator points`);
    const recordEnd64 = recordOffset + 12 + readUInt64(record, 4);
    if (recordEnd64 !== locatorOffset) {
      throw zipError(recordEnd64 < locatorOffset ? 'E_PKG_TRAILING_DATA' : 'E_PKG_ZIP_CORRUPT', `the ZIP64 end record ends at ${recordEnd64} but its locator starts at ${locatorOffset}`);
    }
    const disk64 = record.readUInt32LE(16);
    const cdDisk64 = record.readUInt32LE(20);
    const onDisk64 = readUInt64(record, 24);
    const count64 = readUInt64(record, 32);
    const size64 = readUInt64(record, 40);
    const offset64 = readUInt64(record, 48);
    // Each classic field holds either its "see ZIP64" sentinel or the same value: two readers
    // must not find two different directories.
    const disagree = (classic: number, sentinel: number, wide: number) => classic !== sentinel && classic !== wide;
    if (disagree(entryCount, 0xffff, count64) || disagree(centralDirectorySize, 0xffffffff, size64) || disagree(centralDirectoryOffset, 0xffffffff, offset64)) {
      throw zipError('E_PKG_ZIP_CORRUPT', `the end record (${entryCount} entries, directory at ${centralDirectoryOffset}, ${centralDirectorySize} bytes) contradicts the ZIP64 end record (${count64} entries, at ${offset64}, ${size64} bytes)`);
    }
    entryCount = count64;
    centralDirectorySize = size64;
    centralDirectoryOffset = offset64;
    if (disk64 !== 0 || cdDisk64 !== 0 || onDisk64 !== entryCount) throw zipError('E_PKG_ZIP_CORRUPT', 'the ZIP64 end record describes a multi-disk archive; spanned archives are not packages');
    centralDirectoryEnd = recordOffset;
  } else if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== entryCount) {
    throw zipError('E_PKG_ZIP_CORRUPT', 'the end record describes a multi-disk archive; spanned archives are not packages');
  }

  const declaredEnd = centralDirectoryOffset + centralDirectorySize;
  if (declaredEnd > centralDirectoryEnd) {
    throw zipError('E_PKG_ZIP_CORRUPT', `the central directory (offset ${centralDirectoryOffset}, ${centralDirectorySize} bytes) runs past the end record at ${centralDirectoryEnd}`);
  }
  if (declaredEnd < centralDirectoryEnd) {
    const gap = centralDirectoryEnd - declaredEnd;
    // `cat stub package.zip`: every offset falls short by the stub's length, so the directory is
    // found exactly that many bytes later than declared. Named for what it is, not as a gap.
    if (centralDirectorySize >= 4 && (await readRange(reader, centralDirectoryOffset + gap, 4)).readUInt32LE(0) === SIG_CENTRAL) {
      throw zipError('E_PKG_PREFIX_DATA', `${gap} bytes were put in front of the archive without adjusting its offsets: its central directory starts at byte ${centralDirectoryOffset + gap}, not at ${centralDirectoryOffset} as the end record says (a stub or another file glued in front)`);
    }
    throw zipError('E_PKG_TRAILING_DATA', `${centralDirectoryEnd - declaredEnd} bytes sit between the central directory (ends at ${declaredEnd}) and the end record (at ${centralDirectoryEnd})`);
  }
  return { eocdOffset, centralDirectoryEnd, centralDirectoryOffset, centralDirectorySize, entryCount, zip64 };
}

export interface LocalHeader {
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameRaw: Buffer;
  extraFields: ExtraFieldRecord[];
  /** True when a ZIP64 extra field is present (then a data descriptor has 8-byte sizes). */
  zip64: boolean;
  /** Offset of the first byte of entry data. */
  dataStart: number;
}

/**
 * Reads the local header at `offset`. `nameLengthHint` (the central name length) lets most
 * headers come in one read; `limit` is where the header must end (the central directory start).
 */
export async function readLocalHeader(read: ReadAt, offset: number, limit: number, nameLengthHint: number, path: string): Promise<LocalHeader> {
  if (offset + 30 > limit) throw zipError('E_PKG_ZIP_CORRUPT', `entry '${path}': its local header at offset ${offset} would run into the central directory (at ${limit})`, path);
  let buffer = await read(offset, Math.min(30 + nameLengthHint + 64, limit - offset));
  if (buffer.readUInt32LE(0) !== SIG_LOCAL) throw zipError('E_PKG_ZIP_CORRUPT', `entry '${path}': no local file header at offset ${offset}, where the central directory points`, path);
  const nameLength = buffer.readUInt16LE(26);
  const extraLength = buffer.readUInt16LE(28);
  const dataStart = offset + 30 + nameLength + extraLength;
  if (dataStart > limit) throw zipError('E_PKG_ZIP_CORRUPT', `entry '${path}': its local header (name and extra fields) runs into the central directory`, path);
  if (buffer.length < 30 + nameLength + extraLength) buffer = await read(offset, 30 + nameLength + extraLength);
  const nameRaw = buffer.subarray(30, 30 + nameLength);
  const extraFields = parseExtraFields(buffer.subarray(30 + nameLength, 30 + nameLength + extraLength), `entry '${path}' (local header)`);
  let compressedSize = buffer.readUInt32LE(18);
  let uncompressedSize = buffer.readUInt32LE(22);
  const zip64Field = extraFields.find((f) => f.id === EXTRA_ZIP64);
  if (zip64Field) {
    // In a local header the ZIP64 field holds the sizes whose 32-bit fields are 0xFFFFFFFF, in this order.
    let i = 0;
    if (uncompressedSize === 0xffffffff) {
      if (i + 8 > zip64Field.data.length) throw zipError('E_PKG_ZIP_CORRUPT', `entry '${path}': the local ZIP64 field lacks the uncompressed size`, path);
      uncompressedSize = readUInt64(zip64Field.data, i);
      i += 8;
    }
    if (compressedSize === 0xffffffff) {
      if (i + 8 > zip64Field.data.length) throw zipError('E_PKG_ZIP_CORRUPT', `entry '${path}': the local ZIP64 field lacks the compressed size`, path);
      compressedSize = readUInt64(zip64Field.data, i);
    }
  }
  return {
    flags: buffer.readUInt16LE(6),
    method: buffer.readUInt16LE(8),
    crc32: buffer.readUInt32LE(14),
    compressedSize,
    uncompressedSize,
    nameRaw,
    extraFields,
    zip64: zip64Field !== undefined,
    dataStart,
  };
}

export interface DataDescriptor {
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Bytes the descriptor occupies (12 to 24). */
  length: number;
}

/**
 * Reads the data descriptor after an entry's data. Its layout is ambiguous (optional signature,
 * 4- or 8-byte sizes), so every layout that fits is tried and the one agreeing with the central
 * directory is taken; when none agrees the plainest reading is returned and the caller reports
 * the disagreement.
 */
export async function readDataDescriptor(
  read: ReadAt,
  offset: number,
  limit: number,
  expected: { crc32: number; compressedSize: number; uncompressedSize: number },
  preferZip64: boolean,
): Promise<DataDescriptor | null> {
  const available = Math.min(24, limit - offset);
  if (available < 12) return null;
  const b = await read(offset, available);
  const candidates: DataDescriptor[] = [];
  const signed = b.readUInt32LE(0) === SIG_DESCRIPTOR;
  const bases = signed ? [4, 0] : [0];
  for (const base of bases) {
    const layouts = preferZip64 ? [8, 4] : [4, 8];
    for (const width of layouts) {
      const length = base + 4 + 2 * width;
      if (length > available) continue;
      const crc = b.readUInt32LE(base);
      const compressedSize = width === 8 ? Number(b.readBigUInt64LE(base + 4)) : b.readUInt32LE(base + 4);
      const uncompressedSize = width === 8 ? Number(b.readBigUInt64LE(base + 12)) : b.readUInt32LE(base + 8);
      candidates.push({ crc32: crc, compressedSize, uncompressedSize, length });
    }
  }
  const agreeing = candidates.find((c) => c.crc32 === expected.crc32 && c.compressedSize === expected.compressedSize && c.uncompressedSize === expected.uncompressedSize);
  return agreeing ?? candidates[0] ?? null;
}
