/**
 * How fs-cas putBytes writes a small blob straight into its place (see IN_PLACE_MAX_BYTES in
 * fs-cas.ts for why that stays safe): create the file with O_EXCL, write it, then flush the file,
 * its folder and any new folder's parent together. A file already there is never trusted blindly:
 * kept only when it holds exactly these bytes (and flushed, its writer may have died first), else
 * replaced atomically by a flushed copy.
 *
 * Alone, creating and writing the file are synchronous and only the flushes go to the thread
 * pool: the caller (publish) validates these bytes meanwhile, and on the thread pool the create
 * and the write each waited for validation to end before the next could start. With other writes in flight the creation goes to the thread pool too: a file
 * creation waits for the filesystem journal, which their flushes keep busy, and must not stall
 * every other publish on the main thread meanwhile.
 */
import { closeSync, fstatSync, lstatSync, open as openCallback, openSync, readFileSync, renameSync, rmSync, write as writeCallback, writeFileSync, writeSync } from 'node:fs';
import type { Digest } from '../../src/contracts/index.js';
import { RegistryError, toRegistryError } from '../../src/errors.js';
import { fsyncDescriptor, fsyncDir, fsyncFile } from '../../src/util/fsync.js';
import { tempPath } from '../../src/util/tmp.js';

/** The store's shard folders, as fs-cas keeps them (made, flushed, remembered). */
export interface ShardFolders {
  /** mkdir -p, synchronously; the first folder it made, if any. */
  make(dir: string): string | undefined;
  /** The same on the thread pool. */
  makeInBackground(dir: string): Promise<string | undefined>;
  /** Makes the new folders' entries durable, then remembers the folder. */
  settle(dir: string, firstCreated: string | undefined): Promise<void>;
  /** Forgets a folder that turned out to be gone. */
  forget(dir: string): void;
}

export interface InPlaceWriterOptions {
  durable: boolean;
  /** The store's temp folder (same filesystem), for replacing a damaged file atomically. */
  tempDir: string;
  folders: ShardFolders;
}

export interface InPlaceWriter {
  /** Writes `bytes` as the blob at `dest` (in folder `dir`); durable when it resolves (if durable). */
  write(dest: string, dir: string, bytes: Uint8Array, digest: Digest): Promise<void>;
}

export function createInPlaceWriter({ durable, tempDir, folders }: InPlaceWriterOptions): InPlaceWriter {
  /** In-place writes still running: a second one creates its file on the thread pool. */
  let running = 0;

  async function writeOnce(dest: string, dir: string, bytes: Uint8Array, digest: Digest, inBackground: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const firstCreated = inBackground ? await folders.makeInBackground(dir) : folders.make(dir);
      const fd = inBackground ? await createExclusiveInBackground(dest) : createExclusive(dest);
      if (fd === 'missing-folder' && attempt === 0) {
        // The folder was removed since this store last saw it: make it again, once.
        folders.forget(dir);
        continue;
      }
      if (fd === 'missing-folder') throw new RegistryError('E_IO', `cannot create ${dest}: its folder keeps disappearing`, { path: dest });
      if (fd === 'exists') {
        if (await keepOrReplaceExisting(dest, dir, firstCreated, bytes, digest)) return;
        if (attempt < 2) continue; // removed between our look and our write: try again
        throw new RegistryError('E_IO', `cannot store ${digest}: the file at ${dest} keeps changing under us`, { path: dest });
      }
      try {
        if (inBackground) await writeAllInBackground(fd, bytes);
        else writeAll(fd, bytes);
        // The blob, its folder entry and any new folder's entry are flushed together: nothing
        // refers to the blob until this resolves, so they need no order among themselves.
        if (durable) await Promise.all([fsyncDescriptor(fd, dest), fsyncDir(dir), folders.settle(dir, firstCreated)]);
        else await folders.settle(dir, firstCreated);
      } catch (err) {
        // What is there is short or not known to be durable: take it away (a later put would
        // look before trusting it anyway), unless another writer has replaced it meanwhile.
        removeIfSameFile(dest, fd);
        closeQuietly(fd);
        throw toRegistryError(err, 'E_IO', `cannot write ${dest} in the archive store`);
      }
      closeQuietly(fd);
      return;
    }
  }

  /**
   * A file already at a small blob's path: kept (and flushed, its writer may have died before
   * doing so) when it holds exactly these bytes, else replaced atomically by a flushed copy.
   * Resolves false when the file vanished meanwhile (the caller then writes it afresh).
   */
  async function keepOrReplaceExisting(dest: string, dir: string, firstCreated: string | undefined, bytes: Uint8Array, digest: Digest): Promise<boolean> {
    let current: Buffer;
    try {
      const st = lstatSync(dest);
      current = st.isFile() && st.size === bytes.byteLength ? readFileSync(dest) : Buffer.alloc(0);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw toRegistryError(err, 'E_IO', `cannot read ${dest} in the archive store`);
    }
    if (current.length === bytes.byteLength && current.equals(bytes)) {
      if (durable) await Promise.all([fsyncFile(dest), fsyncDir(dir), folders.settle(dir, firstCreated)]);
      else await folders.settle(dir, firstCreated);
      return true;
    }
    const staged = tempPath(tempDir);
    try {
      writeFileSync(staged, bytes, { flag: 'wx', mode: 0o444 });
      if (durable) await Promise.all([fsyncFile(staged), folders.settle(dir, firstCreated)]);
      else await folders.settle(dir, firstCreated);
      renameSync(staged, dest);
    } catch (err) {
      rmSync(staged, { force: true });
      throw toRegistryError(err, 'E_IO', `cannot replace the damaged file at ${dest} with ${digest}`);
    }
    if (durable) await fsyncDir(dir);
    return true;
  }

  return {
    async write(dest, dir, bytes, digest) {
      const inBackground = running > 0;
      running++;
      try {
        await writeOnce(dest, dir, bytes, digest, inBackground);
      } finally {
        running--;
      }
    },
  };
}

/** Creates a blob file that must not exist yet: its descriptor, or why not. */
function createExclusive(path: string): number | 'exists' | 'missing-folder' {
  try {
    return openSync(path, 'wx', 0o444);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'exists';
    if (code === 'ENOENT') return 'missing-folder';
    throw toRegistryError(err, 'E_IO', `cannot create ${path} in the archive store`);
  }
}

/** createExclusive on the thread pool. */
function createExclusiveInBackground(path: string): Promise<number | 'exists' | 'missing-folder'> {
  return new Promise((resolve, reject) => {
    openCallback(path, 'wx', 0o444, (err, fd) => {
      if (!err) return resolve(fd);
      if (err.code === 'EEXIST') return resolve('exists');
      if (err.code === 'ENOENT') return resolve('missing-folder');
      reject(toRegistryError(err, 'E_IO', `cannot create ${path} in the archive store`));
    });
  });
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}

/** writeAll on the thread pool. */
async function writeAllInBackground(fd: number, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    done += await new Promise<number>((resolve, reject) => {
      writeCallback(fd, bytes, done, bytes.byteLength - done, null, (err, written) => (err ? reject(err) : resolve(written)));
    });
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already flushed or about to be removed: a failed close loses nothing.
  }
}

function removeIfSameFile(path: string, fd: number): void {
  try {
    if (fstatSync(fd).ino === lstatSync(path).ino) rmSync(path, { force: true });
  } catch {
    // Gone already, or unreadable: nothing of ours to remove.
  }
}
