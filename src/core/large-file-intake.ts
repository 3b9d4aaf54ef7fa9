/**
 * Intake of a large archive from a path (PARALLEL_HASH_BYTES and up) when the validator has no
 * validateSource: the part of a big publish before and beside validation. The copy, its hash and
 * its flush to disk would each wait for the one before (figures: docs/benchmarks.md), so:
 *
 * - The kernel copies the file (no bytes through JavaScript; a reflink where the filesystem can,
 *   which makes the copy nearly free), while a worker thread hashes the copy as it grows: the
 *   digest is ready about when the copy is, and the validator does not share the cores with it.
 * - As soon as the copy is complete its flush to disk starts on the thread pool, while the
 *   validator reads it: the store's own fsync (which still runs: durability is the store's
 *   promise) then finds nothing left to write. The kernel's own writeback does not start that
 *   early (its threshold is a share of the RAM, gigabytes here). The flush only pays when the
 *   temp file becomes the blob (a store that moves it into place), so only then is it started.
 *
 * The digest and the size are of the copy, read back from it: the bytes that are validated and
 * stored. A source changing meanwhile cannot slip unvalidated or unhashed bytes in; at worst the
 * copy is a mix the validator refuses.
 */
import { constants as fsConstants, fstatSync, openSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import type { Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { flushInBackground } from '../util/flush-in-background.js';
import type { CoreContext } from './context.js';
import { hashFileInWorker, hashFollowingWriter, type FileHashing } from './hash-worker.js';

export interface LargeFileIntake {
  tempPath: string;
  size: number;
  /** The copy's sha256, once it is hashed and (when started) flushed to disk. */
  digest: Promise<Digest>;
  /** Stops the hashing worker; call when giving up. */
  stop(): void;
}

export async function copyAndHash(ctx: CoreContext, input: string, maxBytes: number, tooLarge: (found: number) => RegistryError): Promise<LargeFileIntake> {
  const tempPath = await ctx.temp.path();
  let fd: number;
  try {
    // Made by us ('wx': never a file someone else owns), so the worker can follow it from the start.
    fd = openSync(tempPath, 'wx+', 0o600);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot create a temp file in ${ctx.temp.dir} for package file '${input}'`);
  }
  let hashing: FileHashing & { writerFinished?(): void };
  try {
    hashing = hashFollowingWriter(fd, tempPath);
  } catch (err) {
    rmSync(tempPath, { force: true });
    throw err;
  }
  // Awaited through `digest` below; when the copy fails it never is.
  hashing.result.catch(() => undefined);
  const giveUp = (): void => {
    hashing.stop();
    rmSync(tempPath, { force: true });
  };
  let size: number;
  try {
    // Into the file made above (it is empty; the copy overwrites nothing of anyone's).
    await copyFile(input, tempPath, fsConstants.COPYFILE_FICLONE);
    const followed = fstatSync(fd);
    const copied = statSync(tempPath);
    size = copied.size;
    if (followed.ino !== copied.ino || followed.dev !== copied.dev) {
      // The platform's copy made a new file at the path instead of writing into ours (macOS's
      // copyfile may): hash that one, now complete, from the start.
      hashing.stop();
      hashing = hashFileInWorker(tempPath);
      hashing.result.catch(() => undefined);
    }
  } catch (err) {
    giveUp();
    throw toRegistryError(err, 'E_IO', `cannot copy package file '${input}' into the store's temp folder`);
  }
  if (size > maxBytes) {
    giveUp();
    throw tooLarge(size);
  }
  hashing.writerFinished?.();
  const flushed = ctx.storage.capabilities.moveFromTemp ? flushInBackground(tempPath) : Promise.resolve();
  const digest = Promise.all([hashing.result, flushed]).then(([r]) => {
    if (r.size !== size) throw new RegistryError('E_IO', `temp copy ${tempPath} changed size while it was hashed (${size} then ${r.size} bytes)`, { path: tempPath });
    return r.digest;
  });
  // Handled here so that giving up early (validation failed) is not an unhandled rejection;
  // whoever awaits `digest` still sees the failure.
  digest.catch(() => undefined);
  const finalHashing = hashing;
  return { tempPath, size, digest, stop: () => finalHashing.stop() };
}
