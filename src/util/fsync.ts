/**
 * Durability primitives. A rename is atomic but not durable until the folder that holds the new
 * name is fsync'd; file contents are not durable until the file is. These helpers do both, and
 * wrap OS failures into coded errors so a raw errno never reaches the user.
 */
import { open } from 'node:fs/promises';
import { toRegistryError } from '../errors.js';

/**
 * fsyncs a folder so that renames and creations inside it survive a power cut.
 * Platforms that cannot open a folder for fsync (Windows: EPERM/EISDIR) are skipped, since there
 * the rename itself is already journaled by NTFS.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (err) {
    if (isUnsupportedDirSync(err)) return;
    throw toRegistryError(err, 'E_IO', `cannot open folder ${dir} to flush it to disk`);
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!isUnsupportedDirSync(err)) throw toRegistryError(err, 'E_IO', `cannot flush folder ${dir} to disk`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** fsyncs a file's contents by path (the caller may have written it through a stream that is now closed). */
export async function fsyncFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot open ${path} to flush it to disk`);
  }
  try {
    await handle.sync();
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot flush ${path} to disk`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function isUnsupportedDirSync(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return process.platform === 'win32' && (code === 'EPERM' || code === 'EISDIR' || code === 'EACCES');
}
