/**
 * Streams an input into a fresh temp file while hashing it: the publish intake. A whole archive
 * is never held in memory, and on any failure (input error, byte limit, disk full) the temp file
 * is removed before the error is passed on, so nothing is left behind.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../contracts/package.js';
import { toRegistryError } from '../errors.js';
import { fsyncFile } from './fsync.js';
import { createHashingStream, type HashingStreamOptions } from './hashing-stream.js';
import { tempPath } from './tmp.js';

export interface WriteStreamToTempOptions extends HashingStreamOptions {
  /**
   * fsync the temp file before returning (default false). Off by default because the next step
   * (storage.put) fsyncs the file before it becomes visible; a temp file lost in a crash is
   * harmless, only re-sent.
   */
  fsync?: boolean;
}

export interface TempFile {
  path: string;
  digest: Digest;
  size: number;
}

/**
 * Writes `source` into a new temp file inside `dir` (created if missing), returning its path,
 * sha256 digest and size. The caller owns the file afterwards (hand it to storage.put or remove it).
 */
export async function writeStreamToTempFile(source: Readable, dir: string, options: WriteStreamToTempOptions = {}): Promise<TempFile> {
  const hashing = createHashingStream(options);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    source.destroy();
    throw toRegistryError(err, 'E_IO', `cannot create temp folder ${dir}`);
  }
  const path = tempPath(dir);
  let created = false;
  try {
    // 'wx' guarantees we never write into a file someone else owns, even if names collided.
    const handle = await open(path, 'wx');
    created = true;
    await pipeline(source, hashing, handle.createWriteStream());
    if (options.fsync) await fsyncFile(path);
    return { path, digest: hashing.digest(), size: hashing.bytes };
  } catch (err) {
    source.destroy();
    if (created) await rm(path, { force: true }).catch(() => undefined);
    throw toRegistryError(err, 'E_IO', `cannot write the input into temp file ${path}`);
  }
}
