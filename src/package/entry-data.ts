/**
 * The one pass over the entries' data, in file order: each local header against its central
 * record, the exact layout (no byte unaccounted for), the data through CRC-32 and sha256 with its
 * real size, and the data descriptor. Entry data is read once, through reused buffers; only
 * metadata.json and manifest.json are kept.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type yauzl from 'yauzl';
import { RegistryError } from '../errors.js';
import { showPath } from './archive-path.js';
import { entryLabel, hex, isFatal, type EntryRecord, type Report } from './archive-report.js';
import { crc32 } from './crc32.js';
import { MANIFEST_FILE, METADATA_FILE } from './documents.js';
import { decodeEntryName } from './entry-name.js';
import { readInto } from './file-reader.js';
import { classify } from './zip-directory.js';
import { readDataDescriptor, readLocalHeader, WindowedReader, type ArchiveEnd, type ReadAt } from './zip-records.js';

const FLAG_DESCRIPTOR = 0x8;
/** Bits whose disagreement between local and central headers changes how the entry is read. */
const FLAGS_COMPARED = 0x1 | 0x8 | 0x40 | 0x800 | 0x2000;

/**
 * The one pass over the data, in file order: local header against central record, exact
 * layout, then the entry's bytes through CRC-32 and sha256 (and its real size), then its data
 * descriptor if it has one.
 */
export async function readEntries(reader: yauzl.RandomAccessReader, records: EntryRecord[], end: ArchiveEnd, report: Report): Promise<void> {
  const sorted = [...records].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  const read = new WindowedReader(reader, end.centralDirectoryOffset).read;
  // Only an entry too large to read whole needs them: a small archive never allocates them.
  let chunkBuffers: readonly Buffer[] | undefined;
  const buffers = (): readonly Buffer[] => (chunkBuffers ??= Array.from({ length: CHUNK_BUFFERS }, () => Buffer.allocUnsafe(CHUNK_BYTES)));
  let expectedStart = 0;
  let layoutKnown = true;
  for (const rec of sorted) {
    const entry = rec.entry;
    const start = entry.relativeOffsetOfLocalHeader;
    const label = (): string => `'${entryLabel(rec)}'`;
    if (layoutKnown && start > expectedStart && expectedStart > 0) {
      report.add('E_PKG_UNREFERENCED_DATA', `${start - expectedStart} bytes between offset ${expectedStart} and entry ${label()} belong to no entry`, rec.path ?? undefined);
    }
    layoutKnown = false;
    let local;
    try {
      local = await readLocalHeader(read, start, end.centralDirectoryOffset, entry.fileNameLength, entryLabel(rec));
    } catch (err) {
      const coded = classify(err, `entry ${label()}`);
      if (isFatal(coded)) throw coded;
      report.addError(coded);
      rec.readable = false;
      continue;
    }
    const mismatches: string[] = [];
    if (!local.nameRaw.equals(entry.fileNameRaw)) mismatches.push(`name ('${showPath(local.nameRaw.toString('utf8'))}' locally)`);
    if (local.method !== entry.compressionMethod) mismatches.push(`compression method (${local.method} locally, ${entry.compressionMethod} centrally)`);
    if ((local.flags & FLAGS_COMPARED) !== (entry.generalPurposeBitFlag & FLAGS_COMPARED)) {
      mismatches.push(`flags (0x${local.flags.toString(16)} locally, 0x${entry.generalPurposeBitFlag.toString(16)} centrally)`);
    }
    const usesDescriptor = (entry.generalPurposeBitFlag & FLAG_DESCRIPTOR) !== 0;
    if (!usesDescriptor || local.crc32 !== 0 || local.compressedSize !== 0 || local.uncompressedSize !== 0) {
      // With a data descriptor the local fields may be zero; if they are not, they must agree.
      if (local.crc32 !== entry.crc32) mismatches.push(`CRC-32 (${hex(local.crc32)} locally, ${hex(entry.crc32)} centrally)`);
      if (local.compressedSize !== entry.compressedSize) mismatches.push(`compressed size (${local.compressedSize} locally, ${entry.compressedSize} centrally)`);
      if (local.uncompressedSize !== entry.uncompressedSize) mismatches.push(`uncompressed size (${local.uncompressedSize} locally, ${entry.uncompressedSize} centrally)`);
    }
    const localDecoded = decodeEntryName(local.nameRaw, local.flags, local.extraFields);
    for (const p of localDecoded.problems) {
      if (p.code !== 'E_PKG_UNICODE_PATH_MISMATCH' || rec.unicodePathReported) continue;
      report.add(p.code, `${p.message} (local header)`, rec.path ?? undefined);
      rec.readable = false;
    }
    if (mismatches.length > 0) {
      report.add('E_PKG_HEADER_MISMATCH', `entry ${label()}: the local header disagrees with the central directory on ${mismatches.join(', ')}`, rec.path ?? undefined);
      rec.readable = false;
    }
    const dataEnd = local.dataStart + entry.compressedSize;
    if (dataEnd > end.centralDirectoryOffset) {
      report.add('E_PKG_ENTRY_OVERLAP', `entry ${label()}: its data (${local.dataStart} to ${dataEnd}) runs into the central directory at ${end.centralDirectoryOffset}`, rec.path ?? undefined);
      continue;
    }
    if (rec.readable) await readEntryData(reader, read, buffers, rec, local.dataStart, report);
    let entryEnd = dataEnd;
    if (usesDescriptor) {
      const descriptor = await readDataDescriptor(read, dataEnd, end.centralDirectoryOffset, entry, local.zip64);
      if (!descriptor) {
        report.add('E_PKG_HEADER_MISMATCH', `entry ${label()}: its flags announce a data descriptor but there is no room for one before the next record`, rec.path ?? undefined);
        continue;
      }
      if (descriptor.crc32 !== entry.crc32 || descriptor.compressedSize !== entry.compressedSize || descriptor.uncompressedSize !== entry.uncompressedSize) {
        report.add('E_PKG_HEADER_MISMATCH', `entry ${label()}: its data descriptor (CRC ${hex(descriptor.crc32)}, ${descriptor.compressedSize} → ${descriptor.uncompressedSize} bytes) disagrees with the central directory (CRC ${hex(entry.crc32)}, ${entry.compressedSize} → ${entry.uncompressedSize} bytes)`, rec.path ?? undefined);
        continue;
      }
      entryEnd += descriptor.length;
    }
    expectedStart = entryEnd;
    layoutKnown = true;
  }
  if (layoutKnown && sorted.length > 0 && expectedStart < end.centralDirectoryOffset) {
    report.add('E_PKG_UNREFERENCED_DATA', `${end.centralDirectoryOffset - expectedStart} bytes between the last entry (ends at ${expectedStart}) and the central directory belong to no entry`);
  }
}

/**
 * Entries this small in both forms are read whole through the window and inflated in one call
 * (bounded by the declared size), which spares thousands of small files a stream each.
 */
const WHOLE_ENTRY_BYTES = 256 * 1024;
/** Larger entries go through in chunks of this size, read into reused buffers in turn. */
const CHUNK_BYTES = 256 * 1024;
/** Enough buffers that zlib inflates one chunk while the next are read and this thread hashes the last. */
const CHUNK_BUFFERS = 4;

/**
 * Feeds `length` bytes at `start` to `take`, inflating them first when `deflated`. Reads go into
 * the CHUNK_BUFFERS reused buffers in turn: later chunks are read while one is hashed or inflated
 * (zlib's write callback says when it has consumed a chunk, so its buffer can be refilled), and
 * the only allocations are zlib's output chunks. Stops as soon as `take` returns false.
 * Returns how many of the `length` bytes the deflate stream consumed.
 */
async function streamEntry(reader: yauzl.RandomAccessReader, buffers: readonly Buffer[], start: number, length: number, deflated: boolean, take: (chunk: Buffer) => boolean): Promise<number> {
  const chunk = buffers[0]!.length;
  const slots = buffers.length;
  const count = Math.ceil(length / chunk);
  const sizeOf = (k: number) => Math.min(chunk, length - k * chunk);
  /** Resolves when zlib has consumed chunk k (its buffer may then be refilled). */
  const consumed: Array<Promise<void>> = [];
  const readChunk = async (k: number): Promise<void> => {
    // The buffer's previous chunk must be consumed before it is refilled.
    if (k >= slots) await consumed[k - slots];
    await readInto(reader, buffers[k % slots]!, 0, sizeOf(k), start + k * chunk);
  };
  const prefetch = (k: number): Promise<void> => {
    const read = readChunk(k);
    // Marked handled at once: a prefetch may fail while the previous chunk is still being
    // inflated; its error is raised where it is awaited, not as an unhandled rejection.
    read.catch(() => undefined);
    return read;
  };
  let pending: Promise<void> | undefined = count > 0 ? prefetch(0) : undefined;
  // Output in 1 MiB chunks: fewer, larger chunks mean less garbage to collect in a running host.
  const inflater = deflated ? zlib.createInflateRaw({ chunkSize: 1024 * 1024 }) : undefined;
  let stopped = false;
  let failure: Error | undefined;
  /** The output chunks still to be taken, in order. */
  let taking: Promise<void> = Promise.resolve();
  const finished = new Promise<void>((resolve) => {
    if (!inflater) return resolve();
    inflater.on('data', (out: Buffer) => {
      // Taken in a microtask, not here: zlib asks the thread pool for its next output chunk only
      // after this listener returns, so hashing here made inflating and hashing take turns. Each
      // output chunk is a buffer of its own, so it can wait that long; and a microtask runs
      // before zlib's next callback, so at most one chunk waits and the order holds.
      taking = taking.then(() => {
        if (!stopped && !take(out)) stopped = true;
      });
    });
    inflater.on('error', (err: Error) => {
      failure ??= err;
      resolve();
    });
    inflater.on('end', () => resolve());
    // Destroyed early (a bomb stopped, an error): chunks still waiting for it must not wait on.
    inflater.on('close', () => resolve());
  });
  try {
    for (let k = 0; k < count && !stopped && !failure; k++) {
      await pending;
      pending = k + 1 < count ? prefetch(k + 1) : undefined;
      const data = buffers[k % slots]!.subarray(0, sizeOf(k));
      if (!inflater) {
        if (!take(data)) stopped = true;
        consumed[k] = Promise.resolve();
        continue;
      }
      // Queued without waiting for zlib: it inflates on the thread pool while the next chunks
      // are read (each waits for its buffer's previous chunk to be consumed). A zlib error may
      // destroy the stream without calling the write callback: `finished` settles then, so
      // nothing waits for ever.
      consumed[k] = Promise.race([new Promise<void>((resolve) => inflater.write(data, () => resolve())), finished]);
    }
    if (inflater && !stopped && !failure) {
      inflater.end();
      await finished;
    }
    await taking;
  } finally {
    if (inflater && !inflater.destroyed) inflater.destroy();
    // A read still in flight must settle before its buffer is reused or its error is lost.
    if (pending) await pending.catch(() => undefined);
  }
  if (failure && !stopped) throw failure;
  // Input the deflate stream actually used (all of it for stored data).
  return inflater ? inflater.bytesWritten : length;
}

/** Reads one entry's data once: CRC-32, sha256, real size; keeps the bytes of the two documents. */
async function readEntryData(reader: yauzl.RandomAccessReader, read: ReadAt, buffers: () => readonly Buffer[], rec: EntryRecord, dataStart: number, report: Report): Promise<void> {
  const entry = rec.entry;
  const label = (): string => `'${entryLabel(rec)}'`;
  const document = rec.path === METADATA_FILE || rec.path === MANIFEST_FILE ? rec.path : null;
  const keep: Buffer[] | null = document !== null && !rec.isFolder ? [] : null;
  const hash = createHash('sha256');
  let crc = 0;
  let size = 0;
  const take = (chunk: Buffer): boolean => {
    size += chunk.length;
    if (size > entry.uncompressedSize) return false;
    hash.update(chunk);
    crc = crc32(chunk, crc);
    // Chunks may live in a reused buffer: what is kept is copied.
    if (keep) keep.push(Buffer.from(chunk));
    return true;
  };
  const deflated = entry.compressionMethod === 8;
  /** Compressed bytes the deflate stream used; any after its end would be data hidden inside the entry. */
  let consumed = entry.compressedSize;
  try {
    if (entry.compressedSize <= WHOLE_ENTRY_BYTES && entry.uncompressedSize <= WHOLE_ENTRY_BYTES) {
      const compressed = await read(dataStart, entry.compressedSize);
      if (!deflated) take(compressed);
      else if (compressed.length > 0 || entry.uncompressedSize > 0) {
        try {
          // One byte over the declared size is enough to prove the declaration false.
          // One output chunk as large as the declared size (+1) spares zlib a concatenation.
          const bound = entry.uncompressedSize + 1;
          const inflated = zlib.inflateRawSync(compressed, { maxOutputLength: bound, chunkSize: Math.max(64, bound), info: true } as zlib.ZlibOptions) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
          take(inflated.buffer);
          consumed = inflated.engine.bytesWritten;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
          size = entry.uncompressedSize + 1;
        }
      }
    } else {
      consumed = await streamEntry(reader, buffers(), dataStart, entry.compressedSize, deflated, take);
    }
  } catch (err) {
    const coded = err instanceof RegistryError ? err : null;
    if (coded && isFatal(coded)) throw coded;
    if (coded) report.addError(coded);
    else report.add('E_PKG_DATA_CORRUPT', `entry ${label()}: its compressed data cannot be inflated (${err instanceof Error ? err.message : String(err)})`, rec.path ?? undefined);
    rec.readable = false;
    return;
  }
  if (size > entry.uncompressedSize) {
    const what = rec.isFolder ? 'FOLDER_HAS_DATA' : 'SIZE_MISMATCH';
    report.add(`E_PKG_${what}`, `entry ${label()} inflates to more than the ${entry.uncompressedSize} bytes it declares; reading stopped there`, rec.path ?? undefined);
    rec.readable = false;
    return;
  }
  if (size < entry.uncompressedSize) {
    report.add('E_PKG_SIZE_MISMATCH', `entry ${label()} holds ${size} bytes but declares ${entry.uncompressedSize}`, rec.path ?? undefined);
    rec.readable = false;
    return;
  }
  if (deflated && consumed < entry.compressedSize) {
    report.add('E_PKG_UNREFERENCED_DATA', `entry ${label()}: ${entry.compressedSize - consumed} of its ${entry.compressedSize} compressed bytes follow the end of its deflate stream (data hidden inside the entry)`, rec.path ?? undefined);
    rec.readable = false;
    return;
  }
  if (crc !== entry.crc32) {
    report.add('E_PKG_CRC_MISMATCH', `entry ${label()}: its data has CRC-32 ${hex(crc)} but the archive declares ${hex(entry.crc32)}`, rec.path ?? undefined);
    rec.readable = false;
    return;
  }
  rec.sha256 = hash.digest('hex');
  rec.actualSize = size;
  if (keep) rec.bytes = Buffer.concat(keep);
}

