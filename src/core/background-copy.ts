/**
 * Intake of a large archive from a path when the validator can read through a source: a worker
 * thread copies the file into the store's temp folder while the validator already reads the copy,
 * so that a publish costs about what its validation does instead of the copy and then the
 * validation (figures: docs/benchmarks.md, "Publish and download").
 *
 * - The worker copies the end of the archive first (a ZIP is read from its end: the directory is
 *   there), then the rest from the start, and hashes the copy in file order: the digest is of the
 *   bytes that are validated and stored, read once from the source.
 * - A read of the validator waits until its bytes are copied, so it never sees a hole. Progress
 *   goes through shared memory; a waiting read sleeps on it (Atomics.waitAsync) until the worker
 *   says more is there.
 * - Once the copy is whole, its data is flushed to disk on the thread pool while the validator
 *   still works (only when the store will move this file into place), so the store's own fsync
 *   finds nothing left to write. Flushing in steps while it grows would compete with the copy.
 *
 * A source that changes meanwhile cannot slip unvalidated bytes in: everything stored was read
 * once, from the source, into the copy that is validated and hashed.
 */
import { closeSync, constants as fsConstants, fdatasync, openSync, read as readCallback, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { ArchiveSource, Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import type { CoreContext } from './context.js';

/** Copied first: the end records and (usually all of) the central directory. */
const TAIL_BYTES = 16 * 1024 * 1024;

// Shared state, written by the worker only: [0] bytes copied from the start (BigInt64);
// Int32 [0] tail copied, [1] 0 copying / 1 done / 2 failed, [2] a counter bumped at every step.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { source, target, size, tailStart, shared, reflinked } = workerData;
const front = new BigInt64Array(shared, 0, 1);
const state = new Int32Array(shared, 8, 3);
const bump = () => { Atomics.add(state, 2, 1); Atomics.notify(state, 2); };
const buffer = Buffer.allocUnsafe(1024 * 1024);
const hash = createHash('sha256');
let src = -1;
function copy(from, to, hashing) {
  for (let at = from; at < to; ) {
    const n = fs.readSync(src, buffer, 0, Math.min(buffer.length, to - at), at);
    if (n === 0) throw Object.assign(new Error('the package file became shorter while it was copied'), { code: 'ESHRANK' });
    for (let w = 0; w < n; ) w += fs.writeSync(target, buffer, w, n - w, at + w);
    if (hashing) {
      hash.update(buffer.subarray(0, n));
      Atomics.store(front, 0, BigInt(at + n));
    }
    at += n;
    bump();
  }
}
function hashCopy(from, to) {
  for (let at = from; at < to; ) {
    const n = fs.readSync(target, buffer, 0, Math.min(buffer.length, to - at), at);
    if (n === 0) throw new Error('the temp copy became shorter while it was hashed');
    hash.update(buffer.subarray(0, n));
    at += n;
  }
}
try {
  if (reflinked) {
    // Already whole (a reflink): readable at once, hashed from the copy.
    Atomics.store(state, 0, 1);
    Atomics.store(front, 0, BigInt(size));
    bump();
    hashCopy(0, size);
  } else {
    src = fs.openSync(source, 'r');
    copy(tailStart, size, false);
    Atomics.store(state, 0, 1);
    bump();
    copy(0, tailStart, true);
    // The tail, hashed in its place in file order, from the copy (the bytes that are stored).
    hashCopy(tailStart, size);
    fs.closeSync(src);
  }
  Atomics.store(state, 1, 1);
  bump();
  parentPort.postMessage({ digest: 'sha256:' + hash.digest('hex') });
} catch (err) {
  Atomics.store(state, 1, 2);
  bump();
  parentPort.postMessage({ error: { message: err.message, code: err.code } });
}
`;

export interface BackgroundCopy {
  tempPath: string;
  size: number;
  /** The copy, readable while it is made: reads wait for their bytes. */
  source: ArchiveSource;
  /** The copy's sha256, once it is complete and (when the store moves it) flushed to disk. */
  digest: Promise<Digest>;
  /** Stops the copy if it still runs and closes the temp file (removing it is the caller's). */
  stop(): void;
}

/** Starts copying `input` (of `size` bytes, already measured) into a new temp file. */
export async function copyInBackground(ctx: CoreContext, input: string, size: number): Promise<BackgroundCopy> {
  const tempPath = await ctx.temp.path();
  const flushMoved = ctx.storage.capabilities.moveFromTemp;
  let fd: number;
  let reflinked = false;
  try {
    // A reflink, where the filesystem has them, makes the copy nearly free: then there is
    // nothing to overlap, and the worker only hashes.
    await copyFile(input, tempPath, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE_FORCE);
    fd = openSync(tempPath, 'r+');
    reflinked = true;
  } catch {
    rmSync(tempPath, { force: true });
    try {
      fd = openSync(tempPath, 'wx+', 0o600);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot create a temp file in ${ctx.temp.dir} for package file '${input}'`);
    }
  }
  const shared = new SharedArrayBuffer(24);
  const front = new BigInt64Array(shared, 0, 1);
  const state = new Int32Array(shared, 8, 3);
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const copied = (): number => Number(Atomics.load(front, 0));
  const failed = (): boolean => Atomics.load(state, 1) === 2;
  const complete = (): boolean => Atomics.load(state, 1) === 1;

  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source: input, target: fd, size, tailStart, shared, reflinked } });
  } catch (err) {
    closeSync(fd);
    rmSync(tempPath, { force: true });
    throw toRegistryError(err, 'E_IO', `cannot start copying package file '${input}'`);
  }
  let closed = false;
  let workerDone = false;
  const hashed = new Promise<Digest>((resolve, reject) => {
    worker.once('message', (m: { digest?: Digest; error?: { message: string; code?: string } }) => {
      workerDone = true;
      if (m.digest) resolve(m.digest);
      else reject(new RegistryError('E_IO', `cannot copy package file '${input}' into the store's temp folder: ${m.error?.message ?? 'unknown error'}`, { path: input, ...(m.error?.code ? { syscallCode: m.error.code } : {}) }));
    });
    worker.once('error', (err) => {
      workerDone = true;
      reject(toRegistryError(err, 'E_IO', `cannot copy package file '${input}' into the store's temp folder`));
    });
    worker.once('exit', (code) => {
      if (!workerDone) reject(new RegistryError('E_IO', `copying package file '${input}' stopped (worker exit code ${code})`, { path: input }));
    });
  });
  /** Wakes every read waiting for bytes (they then see why there will be none). */
  const wakeReaders = (): void => {
    Atomics.add(state, 2, 1);
    Atomics.notify(state, 2);
  };
  let copyFailed = false;
  hashed.catch(() => {
    copyFailed = true;
    wakeReaders();
  });

  // The whole copy goes to disk on the thread pool while validation goes on; its failure fails
  // the publish (after a failed flush, a later fsync through another descriptor would report
  // success).
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> => {
    flushing = new Promise<void>((resolve, reject) => {
      fdatasync(fd, (err) => {
        flushing = undefined;
        if (err) reject(toRegistryError(err, 'E_IO', `cannot flush ${tempPath} to disk`));
        else resolve();
      });
    });
    return flushing;
  };
  const digest = hashed.then(async (d) => {
    if (flushMoved) await flush();
    return d;
  });
  digest.catch(() => undefined);

  /** Waits until [start, end) of the copy is written; rejects when the copy failed. */
  const bytesReady = async (start: number, end: number): Promise<void> => {
    for (;;) {
      const generation = Atomics.load(state, 2);
      if (failed() || copyFailed || closed) {
        await hashed; // its rejection says why
        throw new RegistryError('E_IO', `the copy of package file '${input}' stopped before byte ${end}`, { path: input });
      }
      const tailDone = Atomics.load(state, 0) === 1;
      if (complete() || end <= copied() || (tailDone && (start >= tailStart || copied() >= tailStart))) return;
      const waiting = Atomics.waitAsync(state, 2, generation, 1000);
      if (waiting.async) await waiting.value;
    }
  };

  const source: ArchiveSource = {
    size,
    async read(buffer, offset, length, position) {
      const end = Math.min(size, position + length);
      if (end <= position) return 0;
      await bytesReady(position, end);
      return new Promise<number>((resolve, reject) => {
        readCallback(fd, buffer, offset, end - position, position, (err, bytesRead) => {
          if (err) reject(toRegistryError(err, 'E_IO', `cannot read the temp copy ${tempPath}`));
          else resolve(bytesRead);
        });
      });
    },
  };

  return {
    tempPath,
    size,
    source,
    digest,
    stop() {
      if (closed) return;
      closed = true;
      wakeReaders();
      // The descriptor is closed only once nothing can use it any more: neither the worker (a
      // terminated worker finishes the system call it is in, and its number could meanwhile name
      // another file) nor a flush in flight.
      const close = (): void => {
        try {
          closeSync(fd);
        } catch {
          // Already flushed or about to be removed: a failed close loses nothing.
        }
      };
      const workerGone = workerDone ? Promise.resolve() : worker.terminate().then(() => undefined, () => undefined);
      void workerGone.then(() => flushing?.catch(() => undefined)).then(close);
    },
  };
}
