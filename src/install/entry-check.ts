/**
 * Whether each entry of an archive may be written, decided again at extraction whatever
 * validation said at publish (an archive can reach a store without it, e.g. written straight
 * into the storage). An entry is written only when all of these hold:
 *
 * - its name decodes as UTF-8 and obeys the path rules of SPEC §1 (relative, no `..`, `.` or
 *   empty segment, no backslash, drive letter, control character; NFC) — the validator's own
 *   rule functions, so the two cannot disagree;
 * - its name is portable (portable-path.ts);
 * - it is a regular file or a folder (no symbolic link, device, FIFO, socket, reparse point);
 * - it is neither encrypted nor compressed other than stored (0) or deflate (8);
 * - no two entries collide case-insensitively or after NFC normalisation, and no file is also
 *   the folder of another entry;
 * - the archive stays within the entry, size and compression-ratio limits.
 *
 * A refusal throws E_INSTALL_UNSAFE_ENTRY (details.rule: the path rule's E_PKG_* code),
 * E_INSTALL_PATH_NOT_PORTABLE or E_INSTALL_ARCHIVE_INVALID, before anything is written.
 */
import type yauzl from 'yauzl';
import { RegistryError, type PackageErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import { checkArchivePath, collisionKey, showPath } from '../package/archive-path.js';
import { classifyEntry } from '../package/entry-kind.js';
import { decodeEntryName } from '../package/entry-name.js';
import type { ExtraFieldRecord } from '../package/zip-records.js';
import { portablePathProblems } from './portable-path.js';

export interface CheckedEntry {
  entry: yauzl.Entry;
  /** The path without a folder's trailing '/'. */
  path: string;
  isFolder: boolean;
  /** Unix permission bits from the archive, when it recorded them (only the x bits are used). */
  unixMode: number | undefined;
}

const FLAG_ENCRYPTED = 0x1;
const FLAG_STRONG_ENCRYPTION = 0x40;
const EXTRA_AES = 0x9901;
const HOST_UNIX = 3;
const HOST_OSX = 19;

function unsafe(what: string, rule: PackageErrorCode, message: string, path?: string): RegistryError {
  return new RegistryError('E_INSTALL_UNSAFE_ENTRY', `${what}: ${message}; nothing was written`, { rule, ...(path !== undefined ? { path } : {}) });
}

function invalid(what: string, message: string, path?: string): RegistryError {
  return new RegistryError('E_INSTALL_ARCHIVE_INVALID', `${what}: ${message}; nothing was written`, path !== undefined ? { path } : {});
}

/** Checks one central directory entry on its own. `what` names the package in messages. */
export function checkEntry(entry: yauzl.Entry, what: string, limits: Limits): CheckedEntry {
  const raw = entry.fileNameRaw;
  if (raw.length > limits.maxPathBytes) throw unsafe(what, 'E_PKG_PATH_TOO_LONG', `an entry's path is ${raw.length} bytes, max is ${limits.maxPathBytes} (limits.maxPathBytes)`);
  const decoded = decodeEntryName(raw, entry.generalPurposeBitFlag, entry.extraFields as ExtraFieldRecord[]);
  if (decoded.name === null || decoded.problems.length > 0) {
    const p = decoded.problems[0]!;
    throw unsafe(what, p.code, p.message);
  }
  const name = decoded.name;
  const isFolder = name.endsWith('/');
  const path = isFolder ? name.slice(0, -1) : name;
  const pathProblems = checkArchivePath(path, limits.maxPathBytes);
  if (pathProblems.length > 0) throw unsafe(what, pathProblems[0]!.code, pathProblems[0]!.message, path);
  const kind = classifyEntry(name, entry.versionMadeBy, entry.externalFileAttributes);
  if (kind.kind === 'refused') throw unsafe(what, kind.code, kind.message, path);
  const portable = portablePathProblems(path);
  if (portable.length > 0) {
    throw new RegistryError('E_INSTALL_PATH_NOT_PORTABLE', `${what}: path '${showPath(path)}' cannot be extracted on every system: ${portable.map((p) => p.message).join('; ')}; nothing was written`, {
      path,
      rule: portable[0]!.rule,
    });
  }
  const shown = `'${showPath(name)}'`;
  if (entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || entry.compressionMethod === 99 || entry.extraFields.some((f) => f.id === EXTRA_AES)) {
    throw invalid(what, `entry ${shown} is encrypted`, path);
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw invalid(what, `entry ${shown} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are extracted`, path);
  if (isFolder && entry.uncompressedSize > 0) throw invalid(what, `folder entry ${shown} declares ${entry.uncompressedSize} bytes of data`, path);
  if (entry.uncompressedSize >= limits.compressionRatioExemptBytes && entry.uncompressedSize > limits.maxCompressionRatio * Math.max(entry.compressedSize, 1)) {
    throw invalid(what, `entry ${shown} expands ${entry.compressedSize} → ${entry.uncompressedSize} bytes, past the ${limits.maxCompressionRatio}:1 ratio (limits.maxCompressionRatio)`, path);
  }
  const host = entry.versionMadeBy >>> 8;
  const unixMode = host === HOST_UNIX || host === HOST_OSX ? (entry.externalFileAttributes >>> 16) & 0o7777 : undefined;
  return { entry, path, isFolder, unixMode };
}

/** The checks on the entries together: collisions, file/folder conflicts, totals. */
export function checkEntriesTogether(entries: readonly CheckedEntry[], what: string, limits: Limits): void {
  if (entries.length > limits.maxEntries) throw invalid(what, `the archive holds ${entries.length} entries, max is ${limits.maxEntries} (limits.maxEntries)`);
  let total = 0;
  const seen = new Map<string, CheckedEntry>();
  const folders = new Map<string, string>();
  for (const e of entries) {
    total += e.entry.uncompressedSize;
    const key = collisionKey(e.path);
    const first = seen.get(key);
    if (first) {
      if (first.isFolder && e.isFolder && first.path === e.path) continue; // the same folder listed twice writes nothing twice
      throw unsafe(
        what,
        'E_PKG_PATH_DUPLICATE',
        first.path === e.path ? `path '${showPath(e.path)}' appears twice` : `paths '${showPath(first.path)}' and '${showPath(e.path)}' collide on case-insensitive or normalising file systems`,
        e.path,
      );
    }
    seen.set(key, e);
    const segments = e.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      folders.set(collisionKey(ancestor), ancestor);
    }
    if (e.isFolder) folders.set(key, e.path);
  }
  for (const e of entries) {
    if (e.isFolder) continue;
    const folder = folders.get(collisionKey(e.path));
    if (folder !== undefined) throw unsafe(what, 'E_PKG_PATH_FILE_FOLDER_CONFLICT', `'${showPath(e.path)}' is a file, but '${showPath(folder)}/' is also a folder`, e.path);
  }
  if (total > limits.maxUncompressedBytes) throw invalid(what, `the entries declare ${total} uncompressed bytes in total, max is ${limits.maxUncompressedBytes} (limits.maxUncompressedBytes)`);
}
