/**
 * The default archive store: content-addressed files on the local disk.
 *
 *   <root>/content-v1/sha256/2c/f2/4dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824   a blob
 *   <root>/tmp/pakt-<pid>-<random>.tmp                                                             in-flight writes
 *   <root>/quarantine/<hex>.<time>.<random>  (+ .json note)                                        blobs that failed verification
 *
 * put() moves the caller's temp file into place: size check, fsync the file, rename, fsync the
 * folder. A rename onto an existing digest is a success (same name, same bytes), so concurrent
 * puts of one digest are harmless. get() streams and verifies: the size from stat, then sha256 at
 * the end; a mismatch fails the stream with E_STORE_INTEGRITY and moves the blob to quarantine.
 * Every OS error leaves as a coded one (E_IO, E_STORE_*), with the original as `cause`.
 * See fs-cas-layout.ts and docs/storage-format.md.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, constants as fsConstants, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, lstat, mkdir, open, opendir, readFile, rename, rm, unlink, chmod } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CORE_VERSION,
  type BlobInfo,
  type Digest,
  type StorageProvider,
} from '../../src/contracts/index.js';
import { RegistryError, toRegistryError } from '../../src/errors.js';
import { SMALL_ARCHIVE_BYTES } from '../../src/limits.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { assertDigest, digestHex, digestOfBytes } from '../../src/util/digest.js';
import { fsyncDir, fsyncFile } from '../../src/util/fsync.js';
import { createHashingStream } from '../../src/util/hashing-stream.js';
import { sweepTempDir, tempPath, type SweepOptions, type SweepResult } from '../../src/util/tmp.js';
import { createVerifiedReadable } from '../../src/util/verify-stream.js';
import {
  CONTENT_DIR_PATTERN,
  LAYOUT_VERSION,
  QUARANTINE_DIR,
  TEMP_DIR,
  blobPath,
  contentRoot,
  digestFromSegments,
} from './fs-cas-layout.js';
import { createInPlaceWriter } from './fs-cas-in-place.js';
import { checkPutArguments, checkPutBytesArguments, putMismatchError } from './put-check.js';

export interface FsStorageOptions {
  /** The store folder; created if missing. Required. */
  root: string;
  /**
   * fsync blobs and folders so a stored archive survives a power cut (default true). Off only
   * for throwaway stores (tests, benchmarks of other layers): a crash may then leave a blob
   * that exists but is empty or short; reads would catch it as E_STORE_INTEGRITY.
   */
  fsync?: boolean;
  /**
   * Hash the file again in put() before it becomes visible (default false). The caller has just
   * hashed it while writing it, so this doubles the cost of a publish for protection against a
   * bug in the caller only; reads verify regardless.
   */
  verifyOnPut?: boolean;
  /** Read chunk size for get(), in bytes (default 1 MiB). */
  readChunkBytes?: number;
}

export interface QuarantineEntry {
  digest: Digest;
  /** File name inside `<root>/quarantine`. */
  file: string;
  size: number;
  /** From the note written beside the blob; absent if the process died before writing it. */
  reason?: string;
  quarantinedAt?: string;
}

export interface FsStorage extends StorageProvider {
  readonly root: string;
  putBytes(digest: Digest, bytes: Uint8Array): Promise<void>;
  readonly tempDir: string;
  /** Removes temp files left by crashed writers (see src/util/tmp.ts for the rules). */
  sweepTemp(options?: SweepOptions): Promise<SweepResult>;
  /** Every quarantined blob, with the reason it was set aside. */
  listQuarantine(): AsyncIterable<QuarantineEntry>;
}

/**
 * putBytes writes a small blob straight into its place (no temp file, no rename: on a small
 * publish those metadata calls cost more than the bytes). A writer killed mid-way, or a power cut
 * before the flush, can then leave a short or torn file under a blob's name; no version refers to
 * it (metadata is written only after the store resolved), and the next put of that digest looks
 * before trusting it. Blobs above this size are only ever renamed into place after their flush,
 * so a file of that size found at a blob's path is whole.
 */
export const IN_PLACE_MAX_BYTES = SMALL_ARCHIVE_BYTES;

export function createFsStorage(options: FsStorageOptions): FsStorage {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `root` of createFsStorage: the folder of the archive store');
  }
  const root = options.root;
  const durable = options.fsync ?? true;
  const verifyOnPut = options.verifyOnPut ?? false;
  const readChunkBytes = options.readChunkBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(readChunkBytes) || readChunkBytes <= 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option readChunkBytes of createFsStorage must be a positive integer, got ${String(options.readChunkBytes)}`);
  }
  const tempDir = join(root, TEMP_DIR);
  const quarantineDir = join(root, QUARANTINE_DIR);
  prepareRoot(root, tempDir, quarantineDir);
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new RegistryError('E_CLOSED', `the archive store at ${root} was used after close()`);
  };

  /**
   * Blob folders this store has made (or found) and made durable. Of the 65,536 shard folders a
   * busy store soon has most, and asking again on every put is a round trip per publish; a
   * folder removed behind our back is noticed by the rename, which then makes it again.
   */
  const knownDirs = new Set<string>();
  const shardRoot = contentRoot(root);

  /** mkdir -p the blob's folder (a quick metadata call, synchronous); returns the first folder it made. */
  function makeBlobDir(dir: string): string | undefined {
    if (knownDirs.has(dir)) return undefined;
    try {
      return mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot create folder ${dir} in the archive store`);
    }
  }

  /**
   * Makes the entries of a blob's folders durable, then remembers the folder. Each folder's name
   * lives in its parent: the parents of the folders makeBlobDir made are flushed, together. A
   * folder this store did not see being made durable (found existing: made by another writer,
   * whose flush may still be in flight, or before a restart) has its parents flushed too, up to
   * the content root, once: a blob must never be durable in a folder whose name is not.
   */
  async function settleBlobDir(dir: string, firstCreated: string | undefined): Promise<void> {
    if (knownDirs.has(dir)) return;
    if (durable) {
      const top = firstCreated !== undefined ? dirname(firstCreated) : shardRoot;
      const parents: string[] = [];
      for (let d = dirname(dir); ; d = dirname(d)) {
        parents.push(d);
        if (d === top || d === dirname(d)) break;
      }
      await Promise.all(parents.map((d) => fsyncDir(d)));
    }
    knownDirs.add(dir);
  }

  async function ensureBlobDir(dir: string): Promise<void> {
    await settleBlobDir(dir, makeBlobDir(dir));
  }

  async function moveIntoPlace(sourcePath: string, dest: string): Promise<void> {
    // A rename is a quick metadata call: done synchronously, it costs no thread-pool round trip.
    const renameNow = (): unknown => {
      try {
        renameSync(sourcePath, dest);
        return undefined;
      } catch (err) {
        return err;
      }
    };
    let failure = renameNow();
    if (failure === undefined) return;
    const dir = dirname(dest);
    if ((failure as NodeJS.ErrnoException).code === 'ENOENT' && knownDirs.has(dir) && lstatOrUndefined(sourcePath)) {
      // The blob's folder was removed since this store last saw it: make it again, once.
      knownDirs.delete(dir);
      await ensureBlobDir(dir);
      failure = renameNow();
      if (failure === undefined) return;
    }
    if ((failure as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw toRegistryError(failure, 'E_IO', `cannot move ${sourcePath} into the archive store at ${dest}`);
    }
    // The caller's file is on another filesystem: copy it into our tmp (same filesystem as the
    // content), make that durable, then rename. Slower, but still atomic for readers.
    const staged = tempPath(tempDir);
    try {
      await copyFile(sourcePath, staged);
      await chmod(staged, 0o444);
      if (durable) await fsyncFile(staged);
      await rename(staged, dest);
    } catch (err) {
      await rm(staged, { force: true }).catch(() => undefined);
      throw toRegistryError(err, 'E_IO', `cannot copy ${sourcePath} into the archive store at ${dest}`);
    }
    await rm(sourcePath, { force: true }).catch(() => undefined);
  }

  async function hashFile(path: string): Promise<Digest> {
    const hashing = createHashingStream();
    const handle = await open(path, 'r');
    await pipeline(handle.createReadStream({ highWaterMark: readChunkBytes }), hashing, async function* (source) {
      for await (const _ of source) { /* drain */ }
    });
    return hashing.digest();
  }

  /** Moves the blob aside if the file at its path is still the one identified by `ino` (when given). */
  async function moveToQuarantine(digest: Digest, reason: string, ino?: number): Promise<void> {
    const from = blobPath(root, digest);
    if (ino !== undefined) {
      const now = await lstat(from).catch(() => undefined);
      // Already moved, or replaced by a fresh put since we read it: nothing of ours to move.
      if (!now || now.ino !== ino) return;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = `${digestHex(digest)}.${stamp}.${randomBytes(4).toString('hex')}`;
    const to = join(quarantineDir, file);
    try {
      await mkdir(quarantineDir, { recursive: true });
      await rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(await lstat(from).catch(() => undefined))) return;
      throw toRegistryError(err, 'E_IO', `cannot move ${from} to quarantine`);
    }
    const note = { digest, reason, quarantinedAt: new Date().toISOString(), from: relative(root, from) };
    await writeFileAtomic(`${to}.json`, `${JSON.stringify(note, null, 2)}\n`, { tmpDir: tempDir, fsync: durable });
    if (durable) {
      await fsyncDir(quarantineDir);
      await fsyncDir(dirname(from));
    }
  }

  /** What the in-place writes of putBytes use of this store (fs-cas-in-place.ts). */
  const inPlace = createInPlaceWriter({
    durable,
    tempDir,
    folders: {
      make: makeBlobDir,
      makeInBackground: async (dir) => {
        if (knownDirs.has(dir)) return undefined;
        try {
          return await mkdir(dir, { recursive: true });
        } catch (err) {
          throw toRegistryError(err, 'E_IO', `cannot create folder ${dir} in the archive store`);
        }
      },
      settle: settleBlobDir,
      forget: (dir) => knownDirs.delete(dir),
    },
  });

  const storage: FsStorage = {
    info: { name: 'fs-cas', family: 'storage', coreRange: `^${CORE_VERSION}` },
    capabilities: { moveFromTemp: true, persistent: true },
    root,
    tempDir,

    async put(digest, size, sourcePath) {
      ensureOpen();
      checkPutArguments(digest, size, sourcePath);
      // Metadata calls on a small publish are done synchronously (microseconds each); only the
      // fsyncs below, which wait for the disk, go to the thread pool.
      let info;
      try {
        info = lstatSync(sourcePath);
      } catch (err) {
        throw toRegistryError(err, 'E_IO', `cannot read the file to store for ${digest}`);
      }
      if (!info.isFile()) {
        throw new RegistryError('E_INVALID_ARGUMENT', `${sourcePath} given to store ${digest} is not a regular file`, { path: sourcePath });
      }
      if (info.size !== size) throw putMismatchError(digest, sourcePath, { size, foundSize: info.size });
      if (verifyOnPut) {
        let found: Digest;
        try {
          found = await hashFile(sourcePath);
        } catch (err) {
          throw toRegistryError(err, 'E_IO', `cannot read ${sourcePath} to check its digest`);
        }
        if (found !== digest) throw putMismatchError(digest, sourcePath, { size, foundSize: info.size, foundDigest: found });
      }
      const dest = blobPath(root, digest);
      const dir = dirname(dest);
      const firstCreated = makeBlobDir(dir);
      // A folder made just now (its deepest level included) cannot hold the blob yet. A small
      // file there may be a torn in-place write (IN_PLACE_MAX_BYTES): it is replaced, not trusted.
      const existing = firstCreated === undefined ? lstatOrUndefined(dest) : undefined;
      if (existing?.isFile() && existing.size === size && size > IN_PLACE_MAX_BYTES) {
        // Same digest already stored: the caller's copy is redundant.
        try {
          rmSync(sourcePath, { force: true });
        } catch {
          // A leftover temp file is swept later; the blob is in place.
        }
        return;
      }
      const prepareFile = async (): Promise<void> => {
        try {
          // Stored blobs are immutable; read-only protects them from an accidental write in place.
          // (A caller may create its temp file read-only already: then there is no inode change
          // for the flush below to carry.)
          if ((info.mode & 0o777) !== 0o444) chmodSync(sourcePath, 0o444);
          if (durable) await fsyncFile(sourcePath);
        } catch (err) {
          throw toRegistryError(err, 'E_IO', `cannot prepare ${sourcePath} for storing as ${digest}`);
        }
      };
      // Independent until the rename, so their fsyncs overlap; both must finish before it.
      const [file, folder] = await Promise.allSettled([prepareFile(), settleBlobDir(dir, firstCreated)]);
      if (file.status === 'rejected') throw file.reason;
      if (folder.status === 'rejected') throw folder.reason;
      await moveIntoPlace(sourcePath, dest);
      // The new name must be durable before put() returns: metadata will point at it next.
      if (durable) await fsyncDir(dir);
    },

    async putBytes(digest, bytes) {
      ensureOpen();
      checkPutBytesArguments(digest, bytes);
      if (verifyOnPut || bytes.byteLength > IN_PLACE_MAX_BYTES) {
        const found = digestOfBytes(bytes);
        if (found !== digest) throw putMismatchError(digest, undefined, { size: bytes.byteLength, foundSize: bytes.byteLength, foundDigest: found });
      }
      if (bytes.byteLength > IN_PLACE_MAX_BYTES) {
        // Larger blobs keep the temp → flush → rename order (see IN_PLACE_MAX_BYTES).
        const staged = tempPath(tempDir);
        try {
          writeFileSync(staged, bytes, { flag: 'wx', mode: 0o444 });
        } catch (err) {
          rmSync(staged, { force: true });
          throw toRegistryError(err, 'E_IO', `cannot write ${digest} into the archive store's temp folder`);
        }
        try {
          await storage.put(digest, bytes.byteLength, staged);
        } finally {
          rmSync(staged, { force: true });
        }
        return;
      }
      const dest = blobPath(root, digest);
      const dir = dirname(dest);
      await inPlace.write(dest, dir, bytes, digest);
    },

    async get(digest): Promise<Readable> {
      ensureOpen();
      assertDigest(digest);
      const path = blobPath(root, digest);
      let handle;
      try {
        // O_NOFOLLOW: a planted link is never followed; O_NONBLOCK: a FIFO does not hang the open.
        handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
      } catch (err) {
        if (isMissing(err)) {
          throw new RegistryError('E_STORE_BLOB_MISSING', `archive ${digest} is not in the store (${path} does not exist)`, { path, expected: digest }, { cause: err });
        }
        if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw notAFile(path, digest, 'a symbolic link');
        throw toRegistryError(err, 'E_IO', `cannot open stored archive ${path}`);
      }
      let size: number;
      let ino: number;
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw notAFile(path, digest, st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a device or socket');
        size = st.size;
        ino = st.ino;
      } catch (err) {
        await handle.close().catch(() => undefined);
        throw toRegistryError(err, 'E_IO', `cannot stat stored archive ${path}`);
      }
      // The verifying Readable reads the file itself: piping through a Transform cost a quarter of
      // the download throughput (see src/util/verify-stream.ts).
      return createVerifiedReadable(handle.createReadStream({ highWaterMark: readChunkBytes }), {
        expectedDigest: digest,
        expectedSize: size,
        path,
        onMismatch: (reason) => moveToQuarantine(digest, `verification failed on read: ${reason}`, ino),
        readError: (err) => toRegistryError(err, 'E_IO', `cannot read stored archive ${path}`),
      });
    },

    async stat(digest): Promise<BlobInfo | undefined> {
      ensureOpen();
      assertDigest(digest);
      const path = blobPath(root, digest);
      try {
        // Synchronous: one quick metadata call, asked on every publish (after the insert).
        const st = lstatSync(path);
        return st.isFile() ? { digest, size: st.size } : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw toRegistryError(err, 'E_IO', `cannot stat stored archive ${path}`);
      }
    },

    async delete(digest) {
      ensureOpen();
      assertDigest(digest);
      const path = blobPath(root, digest);
      try {
        await unlink(path);
      } catch (err) {
        if (isMissing(err)) return false;
        throw toRegistryError(err, 'E_IO', `cannot delete stored archive ${path}`);
      }
      if (durable) await fsyncDir(dirname(path));
      return true;
    },

    async *list() {
      ensureOpen();
      const top = contentRoot(root);
      for (const a of await listDir(top)) {
        for (const b of await listDir(join(top, a))) {
          const dir = join(top, a, b);
          for (const rest of await listDir(dir)) {
            const digest = digestFromSegments(a, b, rest);
            if (!digest) continue; // a foreign file: not ours to report
            const st = await lstat(join(dir, rest)).catch((err: unknown) => {
              if (isMissing(err)) return undefined; // deleted meanwhile
              throw toRegistryError(err, 'E_IO', `cannot stat stored archive ${join(dir, rest)}`);
            });
            if (st?.isFile()) yield { digest, size: st.size };
          }
        }
      }
    },

    async quarantine(digest, reason) {
      ensureOpen();
      assertDigest(digest);
      await moveToQuarantine(digest, reason);
    },

    async sweepTemp(sweepOptions) {
      ensureOpen();
      return sweepTempDir(tempDir, sweepOptions);
    },

    async *listQuarantine() {
      ensureOpen();
      for (const file of await listDir(quarantineDir)) {
        const match = /^([0-9a-f]{64})\.[^.]+\.[0-9a-f]+$/.exec(file);
        if (!match) continue;
        const path = join(quarantineDir, file);
        const st = await lstat(path).catch(() => undefined);
        if (!st?.isFile()) continue;
        const entry: QuarantineEntry = { digest: `sha256:${match[1]}`, file, size: st.size };
        const note = await readFile(`${path}.json`, 'utf8').then((t) => JSON.parse(t) as { reason?: unknown; quarantinedAt?: unknown }, () => undefined);
        if (typeof note?.reason === 'string') entry.reason = note.reason;
        if (typeof note?.quarantinedAt === 'string') entry.quarantinedAt = note.quarantinedAt;
        yield entry;
      }
    },

    close() {
      closed = true;
    },
  };
  return storage;
}

export default createFsStorage;

/** Creates the store's folders, refusing a store whose layout is newer than this code. */
function prepareRoot(root: string, tempDir: string, quarantineDir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch (err) {
    if (!isMissing(err)) throw toRegistryError(err, 'E_IO', `cannot open the archive store at ${root}`);
  }
  for (const name of names) {
    const version = Number(CONTENT_DIR_PATTERN.exec(name)?.[1] ?? 0);
    if (version > LAYOUT_VERSION) {
      throw new RegistryError(
        'E_STORE_LAYOUT_NEWER',
        `the archive store at ${root} has layout ${name}, but this pakt understands up to content-v${LAYOUT_VERSION}; upgrade pakt`,
        { path: join(root, name), expected: `content-v${LAYOUT_VERSION}`, found: name },
      );
    }
  }
  try {
    for (const dir of [contentRoot(root), tempDir, quarantineDir]) mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot create the archive store folders under ${root}`);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for await (const entry of await opendir(dir)) names.push(entry.name);
    return names;
  } catch (err) {
    if (isMissing(err)) return [];
    throw toRegistryError(err, 'E_IO', `cannot list ${dir}`);
  }
}

function notAFile(path: string, digest: string, what: string): RegistryError {
  return new RegistryError('E_STORE_BLOB_NOT_FILE', `the store holds ${what} at ${path}, where archive ${digest} should be; it was not read`, { path, expected: digest });
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
