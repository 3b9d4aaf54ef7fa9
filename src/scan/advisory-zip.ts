/**
 * A ZIP of advisories (osv.dev's per-ecosystem `all.zip`: one `<ID>.json` per record) read as
 * hostile input, with the package format's own checks (src/package) where they apply:
 *
 * - the end records (nothing after them, no stub in front, no multi-disk archive), the entry
 *   count and the sizes each entry declares, bounded before anything is inflated;
 * - names: valid UTF-8 matching any Unicode Path field, the archive path rules (no `..`,
 *   absolute path, backslash, control character), no two names equal case-insensitively;
 * - entries: no links, devices or encrypted entries, stored or deflate only, a compression
 *   ratio bound, no entry overlapping another or the central directory (the non-recursive bomb);
 * - data: each entry's local header agrees with the central directory, and its inflated bytes
 *   have exactly the declared size and CRC-32.
 *
 * Entries not ending in `.json` (a README, a folder) are checked but not read. Any fault refuses
 * the whole archive (E_ADVISORY_ARCHIVE_INVALID or E_ADVISORY_TOO_LARGE): a damaged archive's
 * records cannot be trusted one by one.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { RegistryError, toRegistryError, type PackageErrorCode } from '../errors.js';
import type { AdvisoryImportLimits } from '../limits.js';
import { checkArchivePath, collisionKey, showPath } from '../package/archive-path.js';
import { crc32 } from '../package/crc32.js';
import { decodeEntryName } from '../package/entry-name.js';
import { classifyEntry } from '../package/entry-kind.js';
import { FileReader, readRange } from '../package/file-reader.js';
import { readArchiveEnd, readLocalHeader, WindowedReader, type ExtraFieldRecord } from '../package/zip-records.js';

/** One JSON document of the input: where it came from, and its bytes. */
export interface SourceDocument {
  readonly source: string;
  readonly bytes: Buffer;
}

const FLAG_ENCRYPTED = 0x1;
const FLAG_STRONG_ENCRYPTION = 0x40;
const EXTRA_AES = 0x9901;
/** Entries below this size are exempt from the ratio bound (as for packages). */
const RATIO_EXEMPT_BYTES = 1024 * 1024;
const MAX_PATH_BYTES = 1024;
/** Entries up to this size (compressed) are read through the shared window (WindowedReader). */
const WINDOWED_ENTRY_BYTES = 256 * 1024;

interface Entry {
  entry: yauzl.Entry;
  name: string;
  isFolder: boolean;
  isJson: boolean;
}

function refuse(code: 'E_ADVISORY_ARCHIVE_INVALID' | 'E_ADVISORY_TOO_LARGE', zipFile: string, message: string, reason?: PackageErrorCode): never {
  throw new RegistryError(code, `${zipFile}: ${message}; nothing was imported`, { path: zipFile, ...(reason ? { reason } : {}) });
}

/** yauzl's own refusals, and our E_PKG_* findings, as the advisory import's codes. */
function asArchiveError(err: unknown, zipFile: string): RegistryError {
  if (err instanceof RegistryError && (err.code.startsWith('E_ADVISORY') || err.code === 'E_IO')) return err;
  if (err instanceof RegistryError && err.code.startsWith('E_PKG_')) {
    return new RegistryError('E_ADVISORY_ARCHIVE_INVALID', `${zipFile}: ${err.message}; nothing was imported`, { path: zipFile, reason: err.code }, { cause: err });
  }
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.code === 'string' && !(err instanceof RegistryError)) return toRegistryError(err, 'E_IO', `reading ${zipFile}`);
  return new RegistryError('E_ADVISORY_ARCHIVE_INVALID', `${zipFile}: ${err instanceof Error ? err.message : String(err)}; nothing was imported`, { path: zipFile }, { cause: err });
}

function openZip(reader: yauzl.RandomAccessReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function listEntries(zip: yauzl.ZipFile, max: number, zipFile: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      if (entries.length > max) {
        zip.close();
        reject(new RegistryError('E_ADVISORY_TOO_LARGE', `${zipFile}: holds more than ${max} entries (limit maxAdvisoryEntries); nothing was imported`, { path: zipFile, limit: { name: 'maxAdvisoryEntries', value: max } }));
        return;
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Checks one central directory record on its own. */
function checkEntry(e: yauzl.Entry, index: number, zipFile: string, limits: AdvisoryImportLimits): Entry {
  const decoded = decodeEntryName(e.fileNameRaw, e.generalPurposeBitFlag, e.extraFields as ExtraFieldRecord[]);
  if (decoded.name === null || decoded.problems.length > 0) {
    const p = decoded.problems[0]!;
    refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry #${index}: ${p.message}`, p.code);
  }
  const raw = decoded.name!;
  const isFolder = raw.endsWith('/');
  const name = isFolder ? raw.slice(0, -1) : raw;
  const pathProblems = checkArchivePath(name, MAX_PATH_BYTES);
  if (pathProblems.length > 0) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, pathProblems[0]!.message, pathProblems[0]!.code);
  const kind = classifyEntry(raw, e.versionMadeBy, e.externalFileAttributes);
  if (kind.kind === 'refused') refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, kind.message, kind.code);
  const label = `'${showPath(raw)}'`;
  const aes = e.compressionMethod === 99 || e.extraFields.some((f) => f.id === EXTRA_AES);
  if (e.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || aes) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label} is encrypted`, 'E_PKG_ENCRYPTED');
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label} uses compression method ${e.compressionMethod}; only stored (0) and deflate (8) are read`, 'E_PKG_COMPRESSION_METHOD');
  if (isFolder && e.uncompressedSize > 0) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `folder entry ${label} declares ${e.uncompressedSize} bytes of data`, 'E_PKG_FOLDER_HAS_DATA');
  if (e.compressionMethod === 0 && e.compressedSize !== e.uncompressedSize) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `stored entry ${label} declares ${e.compressedSize} bytes compressed but ${e.uncompressedSize} uncompressed`, 'E_PKG_SIZE_MISMATCH');
  const isJson = !isFolder && /\.json$/i.test(name);
  if (isJson && e.uncompressedSize > limits.maxAdvisoryJsonBytes) {
    refuse('E_ADVISORY_TOO_LARGE', zipFile, `entry ${label} is ${e.uncompressedSize} bytes uncompressed, max is ${limits.maxAdvisoryJsonBytes} (limit maxAdvisoryJsonBytes)`);
  }
  if (e.uncompressedSize >= RATIO_EXEMPT_BYTES && e.uncompressedSize > limits.maxAdvisoryCompressionRatio * Math.max(e.compressedSize, 1)) {
    refuse('E_ADVISORY_TOO_LARGE', zipFile, `entry ${label} expands ${e.compressedSize} → ${e.uncompressedSize} bytes, beyond the ${limits.maxAdvisoryCompressionRatio}:1 ratio allowed (limit maxAdvisoryCompressionRatio)`);
  }
  return { entry: e, name, isFolder, isJson };
}

/** The JSON documents of the ZIP at `zipFile`, in file order. */
export async function* zipDocuments(zipFile: string, limits: AdvisoryImportLimits): AsyncGenerator<SourceDocument> {
  let fd: number;
  try {
    fd = openSync(zipFile, 'r');
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot open ${zipFile}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxAdvisoryZipBytes) refuse('E_ADVISORY_TOO_LARGE', zipFile, `the ZIP is ${size} bytes, max is ${limits.maxAdvisoryZipBytes} (limit maxAdvisoryZipBytes)`);
    const reader = new FileReader(fd);
    // Our reference keeps yauzl from closing the descriptor; it is closed below.
    (reader as unknown as { ref(): void }).ref();
    let entries: Entry[];
    let centralDirectoryOffset: number;
    try {
      const end = await readArchiveEnd(reader, size);
      centralDirectoryOffset = end.centralDirectoryOffset;
      if (end.entryCount > limits.maxAdvisoryEntries) refuse('E_ADVISORY_TOO_LARGE', zipFile, `the ZIP declares ${end.entryCount} entries, max is ${limits.maxAdvisoryEntries} (limit maxAdvisoryEntries)`);
      if (end.entryCount * 46 > end.centralDirectorySize) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `the ZIP declares ${end.entryCount} entries but its ${end.centralDirectorySize}-byte central directory cannot hold them`, 'E_PKG_ZIP_CORRUPT');
      const zip = await openZip(reader, size);
      const listed = await listEntries(zip, limits.maxAdvisoryEntries, zipFile);
      if (listed.length !== end.entryCount) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `the end record declares ${end.entryCount} entries but the central directory holds ${listed.length}`, 'E_PKG_ZIP_CORRUPT');
      entries = listed.map((e, i) => checkEntry(e, i, zipFile, limits));
    } catch (err) {
      throw asArchiveError(err, zipFile);
    }
    checkTogether(entries, centralDirectoryOffset, zipFile, limits);
    const read = new WindowedReader(reader, centralDirectoryOffset).read;
    const sorted = entries.filter((e) => e.isJson).sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
    for (const e of sorted) {
      let bytes: Buffer;
      try {
        bytes = await readEntry(reader, read, e, centralDirectoryOffset, zipFile);
      } catch (err) {
        throw asArchiveError(err, zipFile);
      }
      yield { source: `${zipFile}:${e.name}`, bytes };
    }
  } finally {
    try {
      closeSync(fd);
    } catch {
      // read-only descriptor: nothing to lose
    }
  }
}

/** Names, totals and layout, from the central directory alone (before any data is read). */
function checkTogether(entries: readonly Entry[], centralDirectoryOffset: number, zipFile: string, limits: AdvisoryImportLimits): void {
  let total = 0;
  const seen = new Map<string, string>();
  for (const e of entries) {
    total += e.entry.uncompressedSize;
    const key = collisionKey(e.name) + (e.isFolder ? '/' : '');
    const first = seen.get(key);
    if (first !== undefined) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, first === e.name ? `entry '${showPath(e.name)}' appears twice` : `entries '${showPath(first)}' and '${showPath(e.name)}' differ only in case or normalisation`, 'E_PKG_PATH_DUPLICATE');
    seen.set(key, e.name);
  }
  if (total > limits.maxAdvisoryUncompressedBytes) {
    refuse('E_ADVISORY_TOO_LARGE', zipFile, `the entries declare ${total} bytes uncompressed in total, max is ${limits.maxAdvisoryUncompressedBytes} (limit maxAdvisoryUncompressedBytes)`);
  }
  const sorted = [...entries].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  if (sorted.length > 0 && sorted[0]!.entry.relativeOffsetOfLocalHeader > 0) {
    refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `${sorted[0]!.entry.relativeOffsetOfLocalHeader} bytes precede the first entry`, 'E_PKG_PREFIX_DATA');
  }
  let prevEnd = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    const start = e.entry.relativeOffsetOfLocalHeader;
    if (prev && start < prevEnd) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entries '${showPath(prev.name)}' and '${showPath(e.name)}' overlap`, 'E_PKG_ENTRY_OVERLAP');
    const minEnd = start + 30 + e.entry.fileNameLength + e.entry.compressedSize;
    if (minEnd > centralDirectoryOffset) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry '${showPath(e.name)}' runs into the central directory`, 'E_PKG_ENTRY_OVERLAP');
    if (minEnd > prevEnd) {
      prevEnd = minEnd;
      prev = e;
    }
  }
}

async function readEntry(reader: yauzl.RandomAccessReader, read: (offset: number, length: number) => Promise<Buffer>, e: Entry, centralDirectoryOffset: number, zipFile: string): Promise<Buffer> {
  const entry = e.entry;
  const label = `'${showPath(e.name)}'`;
  const local = await readLocalHeader(read, entry.relativeOffsetOfLocalHeader, centralDirectoryOffset, entry.fileNameLength, e.name);
  if (!local.nameRaw.equals(entry.fileNameRaw) || local.method !== entry.compressionMethod) {
    refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label}: its local header disagrees with the central directory on its name or compression method`, 'E_PKG_HEADER_MISMATCH');
  }
  const dataEnd = local.dataStart + entry.compressedSize;
  if (dataEnd > centralDirectoryOffset) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label}: its data runs into the central directory`, 'E_PKG_ENTRY_OVERLAP');
  // Through the window: all.zip's entries are small and adjacent, so one read serves many (a
  // read each, through the thread pool, left the import waiting on I/O most of its time). The
  // window's slice is valid until the next read: inflated at once, or copied when stored.
  const compressed = entry.compressedSize <= WINDOWED_ENTRY_BYTES ? await read(local.dataStart, entry.compressedSize) : await readRange(reader, local.dataStart, entry.compressedSize);
  let bytes: Buffer;
  if (entry.compressionMethod === 0) bytes = Buffer.from(compressed);
  else {
    try {
      // One byte more than declared is enough to tell that the stream inflates beyond it.
      bytes = zlib.inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.uncompressedSize + 1) });
    } catch (err) {
      const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, tooBig ? `entry ${label} inflates beyond its declared ${entry.uncompressedSize} bytes` : `entry ${label}: its deflate data is corrupt (${(err as Error).message})`, tooBig ? 'E_PKG_SIZE_MISMATCH' : 'E_PKG_DATA_CORRUPT');
    }
  }
  if (bytes.length !== entry.uncompressedSize) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label} holds ${bytes.length} bytes but declares ${entry.uncompressedSize}`, 'E_PKG_SIZE_MISMATCH');
  if (crc32(bytes) !== entry.crc32) refuse('E_ADVISORY_ARCHIVE_INVALID', zipFile, `entry ${label}: its CRC-32 does not match (the data is damaged)`, 'E_PKG_CRC_MISMATCH');
  return bytes;
}
