/**
 * What the central directory alone tells, before any entry data is read: each record's name,
 * mode, encryption, method, declared sizes and ratio; the totals; names that collide; and the
 * layout of the entries (prefix, overlaps), which stops the overlapping-entry bomb cheaply.
 */
import type yauzl from 'yauzl';
import type { ErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import { checkArchivePath, collisionKey, showPath } from './archive-path.js';
import { entryLabel, type EntryRecord, type Report } from './archive-report.js';
import { MANIFEST_FILE, METADATA_FILE } from './documents.js';
import { classifyEntry } from './entry-kind.js';
import { decodeEntryName } from './entry-name.js';
import { EXTRA_AES, type ArchiveEnd, type ExtraFieldRecord } from './zip-records.js';

const FLAG_ENCRYPTED = 0x1;
const FLAG_STRONG_ENCRYPTION = 0x40;

/** Everything one central directory record can tell on its own. */
export function checkCentralEntry(entry: yauzl.Entry, index: number, limits: Limits, report: Report): EntryRecord {
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

/**
 * The archive as a whole, from the declared sizes (held to while inflating, so the bounds hold
 * for the real bytes): its uncompressed total, and that total against the archive's own size, so
 * that many entries each under the per-entry ratio exemption cannot make a small upload cost
 * gigabytes of inflating. Either refusal stops every entry from being inflated.
 */
export function checkTotals(records: EntryRecord[], archiveBytes: number, limits: Limits, report: Report): void {
  let total = 0;
  for (const rec of records) total += rec.entry.uncompressedSize;
  let refused = false;
  if (total > limits.maxUncompressedBytes) {
    report.add('E_PKG_UNCOMPRESSED_TOO_LARGE', `the entries declare ${total} uncompressed bytes in total, max is ${limits.maxUncompressedBytes} (limits.maxUncompressedBytes)`);
    refused = true;
  }
  if (total >= limits.totalCompressionRatioExemptBytes && total > limits.maxTotalCompressionRatio * Math.max(archiveBytes, 1)) {
    report.add(
      'E_PKG_COMPRESSION_RATIO',
      `the entries declare ${total} uncompressed bytes in total, ${Math.round(total / Math.max(archiveBytes, 1))} times the ${archiveBytes}-byte archive; max is ${limits.maxTotalCompressionRatio}:1 for archives that unpack to ${limits.totalCompressionRatioExemptBytes} bytes or more (limits.maxTotalCompressionRatio)`,
    );
    refused = true;
  }
  if (refused) for (const rec of records) rec.readable = false;
}

/** Duplicates (case-insensitive, NFC) and a path that is both a file and a folder. */
export function checkNamesTogether(records: EntryRecord[], report: Report): void {
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
export function checkLayoutFromCentral(records: EntryRecord[], end: ArchiveEnd, report: Report): void {
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

