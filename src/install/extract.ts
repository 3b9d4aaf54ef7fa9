/**
 * Extracts one verified archive (a local copy whose digest was already checked) into a fresh
 * folder, checking everything again on the way (entry-check.ts), and every file against
 * manifest.json as it is written:
 *
 *   read the central directory → check every entry, then all together → read and check
 *   metadata.json and manifest.json (name and version must be the expected ones; every file
 *   listed, nothing unlisted) → create the folders → stream each file through sha256 into a
 *   new file (exclusive create: never follows or overwrites anything) → compare hash and size
 *   with the manifest → fsync every file and folder.
 *
 * Memory stays flat whatever the package's size: the central directory and the two documents
 * are held, and no entry larger than SMALL_ENTRY_BYTES is: those stream through in yauzl's
 * chunks. Small entries (nearly every file of a typical package) are read, inflated and written
 * with synchronous calls, as the validator reads small archives: for a file of a few KB the
 * thread-pool round trips of an async open, write and close cost more than the work (measured:
 * five small files took about 14 ms that way on a loaded machine). Archives up to
 * SMALL_ARCHIVE_BYTES are read whole once. On any failure the target folder is removed before
 * the error is passed on, so a caller never sees half a package.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import type { PackageManifest, PackageMetadata } from '../contracts/package.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { isRegistryError, RegistryError, toRegistryError } from '../errors.js';
import { SMALL_ARCHIVE_BYTES, type Limits } from '../limits.js';
import { showPath } from '../package/archive-path.js';
import { checkAgreement, checkManifest, checkMetadata, MANIFEST_FILE, METADATA_FILE, parseDocument } from '../package/documents.js';
import { fsyncDescriptor, fsyncDir } from '../util/fsync.js';
import { checkEntriesTogether, checkEntry, type CheckedEntry } from './entry-check.js';
import { closeQuietly } from '../util/close-quietly.js';

export interface ExtractOptions {
  limits: Limits;
  /** The registry's version scheme: metadata.json's version and ranges are checked by it, as publish checked them. */
  versioning: VersionSyntax;
  /** fsync every file and folder before returning (default true). */
  fsync?: boolean;
  /** Called with the number of bytes each time some are written (progress). */
  onBytes?: (bytes: number) => void;
}

export interface ExtractResult {
  files: number;
  bytes: number;
  manifest: PackageManifest;
  metadata: PackageMetadata;
}

/** At most this many written files wait for their fsync at once (they overlap on the thread pool). */
const SYNCS_IN_FLIGHT = 32;
/** Entries this small (compressed and uncompressed) are handled in memory with synchronous calls. */
const SMALL_ENTRY_BYTES = SMALL_ARCHIVE_BYTES;

/** The open archive: yauzl over it, and synchronous reads of byte ranges for small entries. */
interface Archive {
  zip: yauzl.ZipFile;
  size: number;
  readAt(offset: number, length: number): Buffer;
  close(): void;
}

/** Extracts `archive` into `target`, which must not exist yet (its parent must). */
export async function extractArchive(archive: string, target: string, expected: { name: string; version: string }, options: ExtractOptions): Promise<ExtractResult> {
  const what = `${expected.name}@${expected.version}`;
  const zip = await openArchive(archive, what);
  let created = false;
  const syncs = new SyncQueue(options.fsync ?? true);
  try {
    const entries = await readCentralDirectory(zip.zip, what, options.limits);
    const docs = await readDocuments(zip, entries, expected, what, options.limits, options.versioning);
    const files = entries.filter((e) => !e.isFolder);
    try {
      mkdirSync(target);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot create ${target}`);
    }
    created = true;
    const folders = makeFolders(target, entries);
    let bytes = 0;
    // In file order: the archive is read front to back.
    files.sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
    for (const file of files) {
      const expectedHash = file.path === METADATA_FILE || file.path === MANIFEST_FILE ? undefined : docs.manifest.files[file.path];
      bytes += await writeEntry(zip, file, target, expectedHash, what, syncs, options.onBytes);
    }
    await syncs.drain();
    if (options.fsync ?? true) {
      // Deepest first is not needed for durability, only that all are done before the rename.
      await Promise.all(folders.map((f) => fsyncDir(f)));
    }
    return { files: files.length, bytes, manifest: docs.manifest, metadata: docs.metadata };
  } catch (err) {
    await syncs.drain().catch(() => undefined);
    if (created) await rm(target, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    zip.close();
  }
}

/** An error of the operating system (it names a syscall); zlib's and yauzl's errors do not. */
function isSystemError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string' && !isRegistryError(err);
}

/** yauzl's complaints are about the bytes (the archive is invalid); the OS's are E_IO. */
function archiveError(err: unknown, what: string, context: string): RegistryError {
  if (isRegistryError(err)) return err;
  if (isSystemError(err)) return toRegistryError(err, 'E_IO', `${what}: ${context}`);
  const message = err instanceof Error ? err.message : String(err);
  return new RegistryError('E_INSTALL_ARCHIVE_INVALID', `${what}: ${context}: ${message}; nothing was written`, {}, { cause: err });
}

const ZIP_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false };

async function openArchive(archive: string, what: string): Promise<Archive> {
  let fd: number;
  let size: number;
  try {
    fd = openSync(archive, 'r');
    size = fstatSync(fd).size;
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `${what}: cannot open the archive ${archive}`);
  }
  const readFd = (offset: number, length: number): Buffer => {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `${what}: cannot read the archive ${archive}`);
    }
    if (done < length) throw invalid(what, `the archive ends at ${offset + done}, inside an entry that runs to ${offset + length}`);
    return out;
  };
  try {
    if (size <= SMALL_ARCHIVE_BYTES) {
      const bytes = readFd(0, size);
      closeSync(fd);
      const zip = await yauzl.fromBufferPromise(bytes, ZIP_OPTIONS);
      return { zip, size, readAt: (offset, length) => bytes.subarray(offset, offset + length), close: () => zip.close() };
    }
    const zip = await yauzl.fromFdPromise(fd, ZIP_OPTIONS);
    // From here yauzl owns the descriptor: its close() closes it once no stream reads it.
    return { zip, size, readAt: readFd, close: () => zip.close() };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed (small archive) or never usable
    }
    throw archiveError(err, what, 'cannot open the archive');
  }
}

function isSmall(e: CheckedEntry): boolean {
  return e.entry.compressedSize <= SMALL_ENTRY_BYTES && e.entry.uncompressedSize <= SMALL_ENTRY_BYTES;
}

/**
 * A small entry's data, inflated, checked against its declared size: the local header is read
 * for where the data starts (the central record says where the header is).
 */
function readSmallEntry(zip: Archive, file: CheckedEntry, what: string): Buffer {
  const e = file.entry;
  const at = e.relativeOffsetOfLocalHeader;
  if (at + 30 > zip.size) throw invalid(what, `entry '${showPath(file.path)}' points past the end of the archive`, file.path);
  const header = zip.readAt(at, 30);
  if (header.readUInt32LE(0) !== 0x04034b50) throw invalid(what, `entry '${showPath(file.path)}' does not point at a local file header`, file.path);
  const start = at + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + e.compressedSize > zip.size) throw invalid(what, `entry '${showPath(file.path)}' runs past the end of the archive`, file.path);
  const raw = zip.readAt(start, e.compressedSize);
  let data: Buffer;
  if (e.compressionMethod === 0) data = raw;
  else {
    try {
      // One byte over the declared size proves the declaration false; never more is inflated.
      data = zlib.inflateRawSync(raw, { maxOutputLength: e.uncompressedSize + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw invalid(what, `entry '${showPath(file.path)}' inflates to more than the ${e.uncompressedSize} bytes it declares`, file.path);
      throw invalid(what, `entry '${showPath(file.path)}': its data cannot be inflated (${err instanceof Error ? err.message : String(err)})`, file.path);
    }
  }
  if (data.length !== e.uncompressedSize) throw invalid(what, `entry '${showPath(file.path)}' holds ${data.length} bytes but declares ${e.uncompressedSize}`, file.path);
  return data;
}

function readCentralDirectory(zip: yauzl.ZipFile, what: string, limits: Limits): Promise<CheckedEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: CheckedEntry[] = [];
    const done = (err?: unknown): void => {
      zip.removeAllListeners('entry');
      zip.removeAllListeners('end');
      zip.removeAllListeners('error');
      if (err === undefined) {
        try {
          checkEntriesTogether(entries, what, limits);
          resolve(entries);
        } catch (e) {
          reject(e);
        }
      } else reject(archiveError(err, what, 'reading the central directory'));
    };
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        if (entries.length >= limits.maxEntries) {
          throw new RegistryError('E_INSTALL_ARCHIVE_INVALID', `${what}: the archive holds more than ${limits.maxEntries} entries (limits.maxEntries); nothing was written`);
        }
        entries.push(checkEntry(entry, what, limits));
      } catch (err) {
        return done(err);
      }
      zip.readEntry();
    });
    zip.on('end', () => done());
    zip.on('error', (err: unknown) => done(err));
    zip.readEntry();
  });
}

interface Documents {
  metadata: PackageMetadata;
  manifest: PackageManifest;
  /** The two documents' bytes as the archive holds them. */
  bytes: { metadata: Buffer; manifest: Buffer };
}

/**
 * The archive's metadata.json and manifest.json, after the same checks as an extraction makes
 * (entries, documents, agreement with the files), without writing anything.
 */
export async function readArchiveDocuments(archive: string, expected: { name: string; version: string }, limits: Limits, versioning: VersionSyntax): Promise<{ metadata: Buffer; manifest: Buffer }> {
  const what = `${expected.name}@${expected.version}`;
  const zip = await openArchive(archive, what);
  try {
    const entries = await readCentralDirectory(zip.zip, what, limits);
    return (await readDocuments(zip, entries, expected, what, limits, versioning)).bytes;
  } finally {
    zip.close();
  }
}

async function readDocuments(zip: Archive, entries: readonly CheckedEntry[], expected: { name: string; version: string }, what: string, limits: Limits, versioning: VersionSyntax): Promise<Documents> {
  const find = (name: string) => entries.find((e) => !e.isFolder && e.path === name);
  const metaEntry = find(METADATA_FILE);
  const manEntry = find(MANIFEST_FILE);
  if (!metaEntry || !manEntry) throw invalid(what, `the archive has no ${!metaEntry ? METADATA_FILE : MANIFEST_FILE} at its root`);
  const metaBytes = await readWhole(zip, metaEntry, limits.maxMetadataBytes, what);
  const manBytes = await readWhole(zip, manEntry, limits.maxManifestBytes, what);
  const issues = [];
  const meta = parseDocument(metaBytes, METADATA_FILE, limits);
  const man = parseDocument(manBytes, MANIFEST_FILE, limits);
  issues.push(...meta.issues, ...man.issues);
  const checkedMeta = meta.value === undefined ? undefined : checkMetadata(meta.value, limits, versioning);
  const checkedMan = man.value === undefined ? undefined : checkManifest(man.value, limits);
  issues.push(...(checkedMeta?.issues ?? []), ...(checkedMan?.issues ?? []), ...checkAgreement(meta.value, man.value));
  if (issues.length > 0 || !checkedMeta?.metadata || !checkedMan?.manifest) {
    const first = issues[0];
    throw invalid(what, first ? `${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : ''}` : 'its documents cannot be read', first?.path);
  }
  const metadata = checkedMeta.metadata;
  const manifest = checkedMan.manifest;
  if (metadata.name !== expected.name || metadata.version !== expected.version) {
    throw invalid(what, `its metadata.json names ${metadata.name}@${metadata.version}, not the version the store recorded for it`, METADATA_FILE);
  }
  const present = new Set<string>();
  for (const e of entries) {
    if (e.isFolder || e === metaEntry || e === manEntry) continue;
    present.add(e.path);
    const listed = Object.hasOwn(manifest.files, e.path) ? manifest.files[e.path] : undefined;
    if (!listed) throw invalid(what, `'${showPath(e.path)}' is in the archive but not in manifest.json`, e.path);
    if (listed.size !== undefined && listed.size !== e.entry.uncompressedSize) {
      throw invalid(what, `'${showPath(e.path)}': manifest.json says ${listed.size} bytes, the archive declares ${e.entry.uncompressedSize}`, e.path);
    }
  }
  for (const listed of Object.keys(manifest.files)) {
    if (!present.has(listed)) throw invalid(what, `manifest.json lists '${showPath(listed)}' but the archive does not hold it as a file`, listed);
  }
  return { metadata, manifest, bytes: { metadata: metaBytes, manifest: manBytes } };
}

function invalid(what: string, message: string, path?: string): RegistryError {
  return new RegistryError('E_INSTALL_ARCHIVE_INVALID', `${what}: ${message}; nothing was written`, path !== undefined ? { path } : {});
}

/** One of the two documents, bounded by its declared size (itself bounded by the limit). */
async function readWhole(zip: Archive, file: CheckedEntry, max: number, what: string): Promise<Buffer> {
  if (file.entry.uncompressedSize > max) throw invalid(what, `${file.path} is ${file.entry.uncompressedSize} bytes, max is ${max}`, file.path);
  if (isSmall(file)) return Buffer.from(readSmallEntry(zip, file, what));
  const chunks: Buffer[] = [];
  try {
    const stream = await zip.zip.openReadStreamPromise(file.entry);
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (err) {
    throw archiveError(err, what, `reading ${file.path}`);
  }
  return Buffer.concat(chunks);
}

/** Inside `root`, or a refusal: the last line of defence after the path rules. */
function contained(root: string, relative: string, what: string): string {
  const dest = path.join(root, ...relative.split('/'));
  const rel = path.relative(root, dest);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new RegistryError('E_INSTALL_UNSAFE_ENTRY', `${what}: '${showPath(relative)}' would be written outside its package folder; nothing was written`, { rule: 'E_PKG_PATH_TRAVERSAL', path: relative });
  }
  return dest;
}

/** Creates every folder an entry names or implies, parents first; returns them all, root included. */
function makeFolders(target: string, entries: readonly CheckedEntry[]): string[] {
  const wanted = new Set<string>();
  for (const e of entries) {
    const segments = e.path.split('/');
    const upto = e.isFolder ? segments.length : segments.length - 1;
    for (let i = 1; i <= upto; i++) wanted.add(segments.slice(0, i).join('/'));
  }
  const ordered = [...wanted].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const made = [target];
  for (const rel of ordered) {
    const dest = contained(target, rel, 'folder');
    try {
      // Not recursive: each parent was made just before, by us, in a folder nobody else writes.
      mkdirSync(dest);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot create ${dest}`);
    }
    made.push(dest);
  }
  return made;
}

async function writeEntry(
  zip: Archive,
  file: CheckedEntry,
  target: string,
  expected: { hash: string; size?: number } | undefined,
  what: string,
  syncs: SyncQueue,
  onBytes: ((bytes: number) => void) | undefined,
): Promise<number> {
  const dest = contained(target, file.path, what);
  // Executable bits survive (a plugin's launcher script); setuid, setgid and sticky never do.
  const mode = file.unixMode !== undefined && (file.unixMode & 0o111) !== 0 ? 0o755 : 0o644;
  if (isSmall(file)) {
    const data = readSmallEntry(zip, file, what);
    if (expected) checkAgainstManifest(file, expected, createHash('sha256').update(data).digest('hex'), data.length, what);
    let fd: number;
    try {
      // 'wx': exclusive create, so nothing existing is ever followed or overwritten.
      fd = openSync(dest, 'wx', mode);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot create ${dest}`);
    }
    try {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    } catch (err) {
      closeQuietly(fd);
      throw toRegistryError(err, 'E_IO', `cannot write ${dest}`);
    }
    onBytes?.(data.length);
    await syncs.add(dest, async () => {
      try {
        if (syncs.durable) await fsyncDescriptor(fd, dest);
      } finally {
        closeQuietly(fd);
      }
    });
    return data.length;
  }
  let handle: FileHandle;
  try {
    handle = await open(dest, 'wx', mode);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot create ${dest}`);
  }
  const hash = createHash('sha256');
  let size = 0;
  try {
    let stream;
    try {
      stream = await zip.zip.openReadStreamPromise(file.entry);
    } catch (err) {
      throw archiveError(err, what, `reading '${showPath(file.path)}'`);
    }
    try {
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        hash.update(buf);
        size += buf.length;
        await handle.write(buf);
        onBytes?.(buf.length);
      }
    } catch (err) {
      stream.destroy();
      throw isSystemError(err) ? toRegistryError(err, 'E_IO', `cannot write ${dest}`) : archiveError(err, what, `reading '${showPath(file.path)}'`);
    }
    if (expected) checkAgainstManifest(file, expected, hash.digest('hex'), size, what);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  await syncs.add(dest, async () => {
    try {
      if (syncs.durable) await handle.sync();
    } finally {
      await handle.close();
    }
  });
  return size;
}


function checkAgainstManifest(file: CheckedEntry, expected: { hash: string; size?: number }, found: string, size: number, what: string): void {
  if (found === expected.hash && (expected.size === undefined || expected.size === size)) return;
  throw new RegistryError(
    'E_INSTALL_ARCHIVE_INVALID',
    `${what}: '${showPath(file.path)}' does not match manifest.json\n  Wanted: sha256 ${expected.hash}${expected.size !== undefined ? ` (${expected.size} bytes)` : ''}\n  Found:  sha256 ${found} (${size} bytes)\nnothing was written`,
    { path: file.path, expected: expected.hash, found },
  );
}

/**
 * Written files waiting for fsync and close. Many fsyncs in flight at once let the filesystem
 * commit them together (one at a time costs a journal commit each).
 */
class SyncQueue {
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;

  constructor(readonly durable: boolean) {}

  /** Queues the flush-and-close of one written file; waits when too many are in flight. */
  async add(file: string, flush: () => Promise<void>): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const job = flush().catch((err: unknown) => {
      this.failure ??= toRegistryError(err, 'E_IO', `cannot flush ${file} to disk`);
    });
    this.pending.add(job);
    void job.then(() => this.pending.delete(job));
    if (this.pending.size >= SYNCS_IN_FLIGHT) await Promise.race(this.pending);
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }
}
