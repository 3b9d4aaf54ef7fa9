/**
 * Durability primitives. A rename is atomic but not durable until the folder that holds the new
 * name is fsync'd; file contents are not durable until the file is. These helpers do both, and
 * wrap OS failures into coded errors so a raw errno never reaches the user.
 *
 * Only the fsync itself goes to the thread pool: opening and closing a descriptor are quick
 * metadata calls, done synchronously, so a flush costs one round trip instead of three (on a
 * small publish those round trips, not the work, were most of the storing time).
 */
import { fsync, openSync } from 'node:fs';
import { toRegistryError } from '../errors.js';
import { closeQuietly } from './close-quietly.js';

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}


/**
 * fsyncs a folder so that renames and creations inside it survive a power cut.
 * Platforms that cannot open a folder for fsync (Windows: EPERM/EISDIR) are skipped, since there
 * the rename itself is already journaled by NTFS.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fd;
  try {
    fd = openSync(dir, 'r');
  } catch (err) {
    if (isUnsupportedDirSync(err)) return;
    throw toRegistryError(err, 'E_IO', `cannot open folder ${dir} to flush it to disk`);
  }
  try {
    await fsyncFd(fd);
  } catch (err) {
    if (!isUnsupportedDirSync(err)) throw toRegistryError(err, 'E_IO', `cannot flush folder ${dir} to disk`);
  } finally {
    closeQuietly(fd);
  }
}

/** fsyncs an open descriptor (the writer still holds it: no open or close needed for the flush). */
export async function fsyncDescriptor(fd: number, what: string): Promise<void> {
  try {
    await fsyncFd(fd);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot flush ${what} to disk`);
  }
}

/** fsyncs a file's contents by path (the caller may have written it through a stream that is now closed). */
export async function fsyncFile(path: string): Promise<void> {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot open ${path} to flush it to disk`);
  }
  try {
    await fsyncFd(fd);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot flush ${path} to disk`);
  } finally {
    closeQuietly(fd);
  }
}

function isUnsupportedDirSync(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return process.platform === 'win32' && (code === 'EPERM' || code === 'EISDIR' || code === 'EACCES');
}
