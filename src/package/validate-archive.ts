/**
 * Validates a package archive (SPEC §1) and reports every problem found, as far as the archive
 * is readable. yauzl reads the central directory; this module adds what yauzl leaves to its
 * caller (see its README): the end records, local headers against the central directory, entry
 * layout (prefix, gaps, overlaps), names, modes, limits, the CRC and real size of every entry,
 * and the package documents and hashes.
 *
 * Memory stays flat: yauzl reads the central directory lazily; entry data is read once, in file
 * order, through reused buffers, and goes through CRC-32 and sha256 together; only metadata.json
 * and manifest.json (size-bounded before reading) are held in memory.
 *
 * Never throws for what the archive contains; rejects only with RegistryError E_IO (the reader
 * failed) or E_INPUT_NOT_FOUND (no such file).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import type { ValidationIssue, ValidationReport } from '../contracts/validation.js';
import { RegistryError, toRegistryError, type ErrorCode } from '../errors.js';
import { resolveLimits, SMALL_ARCHIVE_BYTES, type Limits } from '../limits.js';
import { checkArchivePath, collisionKey, showPath } from './archive-path.js';
import { crc32 } from './crc32.js';
import { checkAgreement, checkManifest, checkMetadata, MANIFEST_FILE, METADATA_FILE, parseDocument } from './documents.js';
import { decodeEntryName } from './entry-name.js';
import { classifyEntry } from './entry-kind.js';
import { FileReader, IoTaggingReader, MemoryReader, readInto } from './file-reader.js';
import { EXTRA_AES, readArchiveEnd, readDataDescriptor, readLocalHeader, WindowedReader, type ArchiveEnd, type ExtraFieldRecord, type ReadAt } from './zip-records.js';

/** Past this many issues the report stops growing; a hostile archive must not inflate it without end. */
export const MAX_REPORTED_ISSUES = 1000;

const FLAG_ENCRYPTED = 0x1;
const FLAG_DESCRIPTOR = 0x8;
const FLAG_STRONG_ENCRYPTION = 0x40;
/** Bits whose disagreement between local and central headers changes how the entry is read. */
const FLAGS_COMPARED = 0x1 | 0x8 | 0x40 | 0x800 | 0x2000;

export interface ValidateArchiveOptions {
  limits?: Partial<Limits>;
}

interface EntryRecord {
  index: number;
  entry: yauzl.Entry;
  /** Decoded name without a folder's trailing '/', or null when undecodable. */
  path: string | null;
  isFolder: boolean;
  /** False once any problem of this entry makes reading its data pointless or unsafe. */
  readable: boolean;
  sha256?: string;
  actualSize?: number;
  /** Held only for metadata.json and manifest.json. */
  bytes?: Buffer;
  /** Its central Unicode Path field was already reported (the local one is not reported again). */
  unicodePathReported?: boolean;
}

class Report {
  readonly issues: ValidationIssue[] = [];
  add(code: ErrorCode, message: string, path?: string): void {
    if (this.issues.length >= MAX_REPORTED_ISSUES) return;
    const issue: ValidationIssue = { code, message };
    if (path !== undefined) issue.path = path;
    this.issues.push(issue);
    if (this.issues.length === MAX_REPORTED_ISSUES) {
      this.issues[MAX_REPORTED_ISSUES - 1]!.message += ` (further problems not reported: the first ${MAX_REPORTED_ISSUES} are shown)`;
    }
  }
  addError(err: RegistryError): void {
    this.add(err.code, err.message, typeof err.details.path === 'string' ? err.details.path : undefined);
  }
}

/** yauzl's own messages, mapped to our codes; anything else from yauzl is a corrupt structure. */
function codeForYauzlError(message: string): ErrorCode {
  if (/end of central directory record signature not found/i.test(message)) return 'E_PKG_NOT_ZIP';
  if (/invalid comment length/i.test(message)) return 'E_PKG_TRAILING_DATA';
  if (/strong encryption/i.test(message)) return 'E_PKG_ENCRYPTED';
  if (/compressed\/uncompressed size mismatch/i.test(message)) return 'E_PKG_SIZE_MISMATCH';
  return 'E_PKG_ZIP_CORRUPT';
}

/** Separates what the bytes say (reported) from what the reader says (E_IO, rethrown). */
function classify(err: unknown, context: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RegistryError(codeForYauzlError(message), `${context}: ${message}`, {}, { cause: err });
}

function isFatal(err: RegistryError): boolean {
  return err.code === 'E_IO' || err.code === 'E_INTERNAL';
}

function openZip(reader: yauzl.RandomAccessReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      // Names are decoded and checked here (yauzl's own check would stop at the first bad name);
      // sizes are checked here too, while streaming, so one bad entry does not end the listing.
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function readAllEntries(zip: yauzl.ZipFile, maxEntries: number, onEntry: (e: yauzl.Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const cleanup = () => {
      zip.removeListener('entry', entry);
      zip.removeListener('end', end);
      zip.removeListener('error', error);
    };
    const entry = (e: yauzl.Entry) => {
      count++;
      if (count > maxEntries) {
        cleanup();
        return reject(new RegistryError('E_PKG_TOO_MANY_ENTRIES', `the central directory holds more than ${maxEntries} entries (limits.maxEntries)`));
      }
      try {
        onEntry(e);
      } catch (err) {
        cleanup();
        return reject(err);
      }
      zip.readEntry();
    };
    const end = () => {
      cleanup();
      resolve();
    };
    const error = (err: unknown) => {
      cleanup();
      reject(err);
    };
    zip.on('entry', entry);
    zip.on('end', end);
    zip.on('error', error);
    zip.readEntry();
  });
}


function entryLabel(rec: EntryRecord): string {
  return rec.path === null ? `#${rec.index}` : showPath(rec.path + (rec.isFolder ? '/' : ''));
}

/** Validates the archive at `file`. */
export async function validateArchiveFile(file: string, options: ValidateArchiveOptions = {}): Promise<ValidationReport> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RegistryError('E_INPUT_NOT_FOUND', `no such file: ${file}`, { path: file }, { cause: err });
    throw toRegistryError(err, 'E_IO', `cannot open ${file}`);
  }
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd);
    } catch {
      // Read-only descriptor: nothing was written that a failed close could lose.
    }
  };
  try {
    let stat;
    try {
      stat = fstatSync(fd);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot stat ${file}`);
    }
    if (!stat.isFile()) throw new RegistryError('E_INPUT_NOT_FOUND', `${file} is not a regular file`, { path: file });
    // A small archive in one synchronous read: for a typical package the thread-pool round trips
    // of a read per region cost more than the reading itself.
    if (stat.size <= SMALL_ARCHIVE_BYTES) {
      const bytes = readWhole(fd, stat.size, file);
      close();
      return await validateArchive(new MemoryReader(bytes), bytes.length, options);
    }
    return await validateArchive(new FileReader(fd), stat.size, options);
  } finally {
    close();
  }
}

/** Up to `size` bytes from the start of `fd`; fewer if the file is shorter now (what is there is validated). */
function readWhole(fd: number, size: number, file: string): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let done = 0;
  try {
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  return done === size ? bytes : bytes.subarray(0, done);
}

/**
 * Validates an archive of `size` bytes read through `reader` (yauzl's RandomAccessReader, so a
 * test can inject faults and a host can validate from anywhere it can read ranges).
 */
export async function validateArchive(source: yauzl.RandomAccessReader, size: number, options: ValidateArchiveOptions = {}): Promise<ValidationReport> {
  const limits = resolveLimits(options.limits);
  const report = new Report();
  const reader = new IoTaggingReader(source, size);
  // Our reference keeps yauzl from closing the source under us; the caller owns the source.
  (reader as unknown as { ref(): void }).ref();
  try {
    return await run(reader, size, limits, report);
  } catch (err) {
    const coded = err instanceof RegistryError ? err : toRegistryError(err, 'E_INTERNAL', 'validating the archive failed');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, []);
  }
}

async function run(reader: yauzl.RandomAccessReader, size: number, limits: Limits, report: Report): Promise<ValidationReport> {
  if (size > limits.maxArchiveBytes) {
    report.add('E_PKG_ARCHIVE_TOO_LARGE', `the archive is ${size} bytes, max is ${limits.maxArchiveBytes} (limits.maxArchiveBytes)`);
    return finish(report, undefined, undefined, []);
  }
  let end: ArchiveEnd;
  try {
    end = await readArchiveEnd(reader, size);
  } catch (err) {
    const coded = classify(err, 'reading the end of the archive');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, []);
  }
  if (end.entryCount > limits.maxEntries) {
    report.add('E_PKG_TOO_MANY_ENTRIES', `the archive declares ${end.entryCount} entries, max is ${limits.maxEntries} (limits.maxEntries)`);
    return finish(report, undefined, undefined, []);
  }
  // Each central record is at least 46 bytes: a count the directory cannot hold is a lie.
  if (end.entryCount * 46 > end.centralDirectorySize) {
    report.add('E_PKG_ZIP_CORRUPT', `the archive declares ${end.entryCount} entries but its ${end.centralDirectorySize}-byte central directory cannot hold them`);
    return finish(report, undefined, undefined, []);
  }

  const records: EntryRecord[] = [];
  try {
    const zip = await openZip(reader, size);
    let centralBytes = 0;
    await readAllEntries(zip, limits.maxEntries, (entry) => {
      centralBytes += 46 + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
      records.push(checkCentralEntry(entry, records.length, limits, report));
    });
    if (records.length !== end.entryCount) {
      report.add('E_PKG_ZIP_CORRUPT', `the end record declares ${end.entryCount} entries but the central directory holds ${records.length}`);
    }
    if (centralBytes !== end.centralDirectorySize) {
      report.add('E_PKG_ZIP_CORRUPT', `the end record declares a ${end.centralDirectorySize}-byte central directory but its entries take ${centralBytes} bytes`);
    }
  } catch (err) {
    const coded = classify(err, 'reading the central directory');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, records);
  }

  checkTotals(records, limits, report);
  checkNamesTogether(records, report);
  checkLayoutFromCentral(records, end, report);
  await readEntries(reader, records, end, report);
  return checkPackage(records, limits, report);
}

/** Everything one central directory record can tell on its own. */
function checkCentralEntry(entry: yauzl.Entry, index: number, limits: Limits, report: Report): EntryRecord {
  const rec: EntryRecord = { index, entry, path: null, isFolder: false, readable: true };
  const refuse = (code: ErrorCode, message: string) => {
    report.add(code, message, rec.path ?? undefined);
    rec.readable = false;
  };
  const raw = entry.fileNameRaw;
  if (raw.length > limits.maxPathBytes) {
    rec.readable = false;
    report.add('E_PKG_PATH_TOO_LONG', `entry #${index}'s path is ${raw.length} bytes, max is ${limits.maxPathBytes} (limits.maxPathBytes)`);
    return rec;
  }
  const decoded = decodeEntryName(raw, entry.generalPurposeBitFlag, entry.extraFields as ExtraFieldRecord[]);
  const name = decoded.name;
  if (name !== null) {
    rec.isFolder = name.endsWith('/');
    rec.path = rec.isFolder ? name.slice(0, -1) : name;
  }
  for (const p of decoded.problems) {
    if (p.code === 'E_PKG_UNICODE_PATH_MISMATCH') rec.unicodePathReported = true;
    refuse(p.code, p.message);
  }
  if (name === null) return rec;

  for (const p of checkArchivePath(rec.path!, limits.maxPathBytes)) refuse(p.code, rec.isFolder ? `${p.message} (a folder entry)` : p.message);

  const kind = classifyEntry(name, entry.versionMadeBy, entry.externalFileAttributes);
  if (kind.kind === 'refused') refuse(kind.code, kind.message);

  // Built only when a message needs it.
  const label = (): string => `'${showPath(name)}'`;
  const flags = entry.generalPurposeBitFlag;
  const aes = entry.compressionMethod === 99 || entry.extraFields.some((f) => f.id === EXTRA_AES);
  if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || aes) {
    refuse('E_PKG_ENCRYPTED', `entry ${label()} is encrypted${aes ? ' (AES)' : ''}; packages must not be encrypted`);
  } else if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    refuse('E_PKG_COMPRESSION_METHOD', `entry ${label()} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are allowed`);
  }
  if (rec.isFolder && (entry.uncompressedSize > 0 || (entry.compressionMethod === 0 && entry.compressedSize > 0))) {
    refuse('E_PKG_FOLDER_HAS_DATA', `folder entry ${label()} declares ${entry.uncompressedSize} bytes of data; folder entries carry none`);
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize && !(flags & FLAG_ENCRYPTED)) {
    refuse('E_PKG_SIZE_MISMATCH', `stored entry ${label()} declares ${entry.compressedSize} bytes compressed but ${entry.uncompressedSize} uncompressed; stored data cannot change size`);
  }
  if (!rec.isFolder && (rec.path === METADATA_FILE || rec.path === MANIFEST_FILE)) {
    // Bounded on the declared size, before a byte is read; the real size is held to it while streaming.
    const max = rec.path === METADATA_FILE ? limits.maxMetadataBytes : limits.maxManifestBytes;
    if (entry.uncompressedSize > max) {
      refuse('E_PKG_JSON_TOO_LARGE', `${rec.path} is ${entry.uncompressedSize} bytes, max is ${max} (limits.${rec.path === METADATA_FILE ? 'maxMetadataBytes' : 'maxManifestBytes'}); it was not parsed`);
    }
  }
  if (
    entry.uncompressedSize >= limits.compressionRatioExemptBytes &&
    entry.uncompressedSize > limits.maxCompressionRatio * Math.max(entry.compressedSize, 1)
  ) {
    const ratio = entry.compressedSize === 0 ? 'infinitely' : `${Math.round(entry.uncompressedSize / entry.compressedSize)} times`;
    refuse('E_PKG_COMPRESSION_RATIO', `entry ${label()} expands ${ratio} (${entry.compressedSize} → ${entry.uncompressedSize} bytes), max ratio is ${limits.maxCompressionRatio}:1 for entries of ${limits.compressionRatioExemptBytes} bytes or more (limits.maxCompressionRatio)`);
  }
  return rec;
}

function checkTotals(records: EntryRecord[], limits: Limits, report: Report): void {
  let total = 0;
  for (const rec of records) total += rec.entry.uncompressedSize;
  if (total > limits.maxUncompressedBytes) {
    report.add('E_PKG_UNCOMPRESSED_TOO_LARGE', `the entries declare ${total} uncompressed bytes in total, max is ${limits.maxUncompressedBytes} (limits.maxUncompressedBytes)`);
    // Do not inflate anything: the declared sizes are enforced while streaming, so this bound holds.
    for (const rec of records) rec.readable = false;
  }
}

/** Duplicates (case-insensitive, NFC) and a path that is both a file and a folder. */
function checkNamesTogether(records: EntryRecord[], report: Report): void {
  const seen = new Map<string, EntryRecord>();
  const files = new Map<string, EntryRecord>();
  const folders = new Map<string, string>();
  for (const rec of records) {
    if (rec.path === null) continue;
    const key = collisionKey(rec.path) + (rec.isFolder ? '/' : '');
    const first = seen.get(key);
    if (first) {
      const same = first.path === rec.path;
      report.add(
        'E_PKG_PATH_DUPLICATE',
        same
          ? `path '${entryLabel(rec)}' appears twice in the archive`
          : `paths '${entryLabel(first)}' and '${entryLabel(rec)}' collide when compared case-insensitively after NFC normalisation`,
        rec.path,
      );
      rec.readable = false;
      continue;
    }
    seen.set(key, rec);
    if (rec.isFolder) folders.set(collisionKey(rec.path), rec.path);
    else files.set(collisionKey(rec.path), rec);
    // Every ancestor of an entry is a folder, listed or not.
    const segments = rec.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      const k = collisionKey(ancestor);
      if (!folders.has(k)) folders.set(k, ancestor);
    }
  }
  for (const [key, rec] of files) {
    const folder = folders.get(key);
    if (folder !== undefined) {
      report.add('E_PKG_PATH_FILE_FOLDER_CONFLICT', `'${entryLabel(rec)}' is a file, but '${showPath(folder)}/' is also a folder in the archive`, rec.path ?? undefined);
      rec.readable = false;
    }
  }
}

/**
 * Overlaps, prefix and hidden data can be told from the central directory alone, before any
 * data is inflated; that is what stops the overlapping-entry bomb cheaply. Each entry occupies
 * at least its 30-byte local header, its name and its compressed data.
 */
function checkLayoutFromCentral(records: EntryRecord[], end: ArchiveEnd, report: Report): void {
  if (records.length === 0) {
    if (end.centralDirectoryOffset > 0) report.add('E_PKG_PREFIX_DATA', `${end.centralDirectoryOffset} bytes precede the central directory of an archive without entries`);
    return;
  }
  const sorted = [...records].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  const first = sorted[0]!.entry.relativeOffsetOfLocalHeader;
  if (first > 0) report.add('E_PKG_PREFIX_DATA', `${first} bytes precede the first local file header (a stub or another file glued in front)`);
  let prev: EntryRecord | undefined;
  let prevEnd = 0;
  for (const rec of sorted) {
    const start = rec.entry.relativeOffsetOfLocalHeader;
    const minEnd = start + 30 + rec.entry.fileNameLength + rec.entry.compressedSize;
    if (prev && start < prevEnd) {
      report.add('E_PKG_ENTRY_OVERLAP', `entries '${entryLabel(prev)}' and '${entryLabel(rec)}' overlap (the second starts at ${start}, inside the first, which runs to at least ${prevEnd})`, rec.path ?? undefined);
      prev.readable = false;
      rec.readable = false;
    }
    if (minEnd > end.centralDirectoryOffset) {
      report.add('E_PKG_ENTRY_OVERLAP', `entry '${entryLabel(rec)}' (at ${start}, ${rec.entry.compressedSize} bytes of data) runs into the central directory at ${end.centralDirectoryOffset}`, rec.path ?? undefined);
      rec.readable = false;
    }
    if (minEnd > prevEnd) {
      prevEnd = minEnd;
      prev = rec;
    }
  }
}

/**
 * The one pass over the data, in file order: local header against central record, exact
 * layout, then the entry's bytes through CRC-32 and sha256 (and its real size), then its data
 * descriptor if it has one.
 */
async function readEntries(reader: yauzl.RandomAccessReader, records: EntryRecord[], end: ArchiveEnd, report: Report): Promise<void> {
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

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Entries this small in both forms are read whole through the window and inflated in one call
 * (bounded by the declared size), which spares thousands of small files a stream each.
 */
const WHOLE_ENTRY_BYTES = 256 * 1024;
/** Larger entries go through in chunks of this size, read into reused buffers in turn. */
const CHUNK_BYTES = 256 * 1024;
/**
 * That many buffers: while zlib inflates one chunk on the thread pool, the next ones are already
 * read and queued, and this thread hashes the output of the last. With two, inflating and
 * hashing took turns (this thread sat idle 1.4 s of a 3.3 s validation of 1 GiB).
 */
const CHUNK_BUFFERS = 4;

/**
 * Feeds `length` bytes at `start` to `take`, inflating them first when `deflated`. Reads go into
 * two reused buffers in turn: the next chunk is read while the current one is hashed or inflated
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
  // Output in 1 MiB chunks: in a process that has validated before (a running host), V8 collects
  // garbage often while large archives stream through, and fewer, larger chunks measured fastest
  // there (1 GiB: about 2.9 s against 3.1 s with 256 KiB).
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

/** metadata.json, manifest.json, and every content file against the manifest. */
function checkPackage(records: EntryRecord[], limits: Limits, report: Report): ValidationReport {
  const byPath = new Map<string, EntryRecord>();
  for (const rec of records) if (rec.path !== null && !byPath.has(rec.path + (rec.isFolder ? '/' : ''))) byPath.set(rec.path + (rec.isFolder ? '/' : ''), rec);
  const metaRec = byPath.get(METADATA_FILE);
  const manRec = byPath.get(MANIFEST_FILE);
  if (!metaRec) report.add('E_PKG_METADATA_MISSING', 'the archive has no metadata.json at its root', METADATA_FILE);
  if (!manRec) report.add('E_PKG_MANIFEST_MISSING', 'the archive has no manifest.json at its root', MANIFEST_FILE);

  let metadataValue;
  let metadata;
  if (metaRec?.bytes) {
    const parsed = parseDocument(metaRec.bytes, METADATA_FILE, limits);
    for (const i of parsed.issues) report.add(i.code, i.message, i.path);
    if (parsed.value !== undefined) {
      metadataValue = parsed.value;
      const checked = checkMetadata(parsed.value, limits);
      for (const i of checked.issues) report.add(i.code, i.message, i.path);
      metadata = checked.metadata;
    }
  }
  let manifestValue;
  let manifest;
  if (manRec?.bytes) {
    const parsed = parseDocument(manRec.bytes, MANIFEST_FILE, limits);
    for (const i of parsed.issues) report.add(i.code, i.message, i.path);
    if (parsed.value !== undefined) {
      manifestValue = parsed.value;
      const checked = checkManifest(parsed.value, limits);
      for (const i of checked.issues) report.add(i.code, i.message, i.path);
      manifest = checked.manifest;
    }
  }
  for (const i of checkAgreement(metadataValue, manifestValue)) report.add(i.code, i.message, i.path);

  const listed = manifestFiles(manifestValue);
  if (listed) {
    for (const rec of records) {
      if (rec.path === null || rec.isFolder || rec === metaRec || rec === manRec) continue;
      const expected = Object.prototype.hasOwnProperty.call(listed, rec.path) ? listed[rec.path] : undefined;
      if (expected === undefined) {
        report.add('E_PKG_FILE_UNLISTED', `'${showPath(rec.path)}' is in the archive but not in manifest.json`, rec.path);
        continue;
      }
      if (rec.sha256 === undefined || typeof expected !== 'object' || expected === null) continue;
      if (typeof expected.hash === 'string' && expected.hash !== rec.sha256) {
        report.add('E_PKG_HASH_MISMATCH', `'${showPath(rec.path)}': manifest.json wants sha256 ${expected.hash}, the file has ${rec.sha256}`, rec.path);
      }
      if (typeof expected.size === 'number' && expected.size !== rec.actualSize) {
        report.add('E_PKG_FILE_SIZE_MISMATCH', `'${showPath(rec.path)}': manifest.json says ${expected.size} bytes, the file has ${rec.actualSize}`, rec.path);
      }
    }
    for (const path of Object.keys(listed)) {
      if (path === METADATA_FILE || path === MANIFEST_FILE) continue;
      if (byPath.has(path)) continue;
      const asFolder = byPath.has(path + '/');
      report.add('E_PKG_FILE_MISSING', `manifest.json lists '${showPath(path)}' but the archive ${asFolder ? 'holds it as a folder' : 'does not hold it'}`, path);
    }
  }
  return finish(report, metadataValue, metadata && manifest ? { metadata, manifest } : undefined, records);
}

function manifestFiles(value: unknown): Record<string, { hash?: unknown; size?: unknown } | null> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const files = (value as Record<string, unknown>)['files'];
  if (files === null || typeof files !== 'object' || Array.isArray(files)) return undefined;
  return files as Record<string, { hash?: unknown; size?: unknown } | null>;
}

function finish(report: Report, metadataValue: unknown, docs: { metadata: NonNullable<ValidationReport['metadata']>; manifest: NonNullable<ValidationReport['manifest']> } | undefined, records: EntryRecord[]): ValidationReport {
  const out: ValidationReport = { valid: report.issues.length === 0, errors: report.issues };
  if (metadataValue !== null && typeof metadataValue === 'object' && !Array.isArray(metadataValue)) {
    const m = metadataValue as Record<string, unknown>;
    if (typeof m['name'] === 'string') out.name = m['name'];
    if (typeof m['version'] === 'string') out.version = m['version'];
  }
  if (out.valid && docs) {
    out.metadata = docs.metadata;
    out.manifest = docs.manifest;
    let fileCount = 0;
    let unpackedBytes = 0;
    for (const rec of records) {
      if (rec.isFolder || rec.path === METADATA_FILE || rec.path === MANIFEST_FILE) continue;
      fileCount++;
      unpackedBytes += rec.actualSize ?? 0;
    }
    out.fileCount = fileCount;
    out.unpackedBytes = unpackedBytes;
  } else if (out.valid) {
    // No documents were read (cannot happen for a valid report, which needs both), kept total.
    out.valid = false;
  }
  return out;
}
