/**
 * sha256 of a file on the other core. Publishing a large archive from a path hashes the temp copy
 * in a worker thread: it follows the kernel's copy into the temp file (reading each part as soon
 * as it has been written, while the pages are still in the cache), so the hash is done about when
 * the copy is, and the validator then has the main thread to itself. Done one after the other,
 * the archive hash alone is a fifth of a 1 GiB publish.
 *
 * The hash is of the bytes read back from the file, so it is the hash of what the file holds, not
 * of what someone meant to write. The caller owns the file while it is followed (nobody else
 * writes it), says when the writer has finished, and only then is the end of the file the end.
 *
 * The worker's code is inline (eval) so it runs the same from the TypeScript sources (tests) and
 * from dist/ (the package): there is no separate file to locate.
 */
import { openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { closeQuietly } from '../util/close-quietly.js';

/** state[0]: the writer is still writing (0) or has finished (1). */
const WRITING = 0;
const FINISHED = 1;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const state = new Int32Array(workerData.state);
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(1024 * 1024);
let size = 0;
let writerFinished = false;
for (;;) {
  const n = fs.readSync(workerData.fd, buffer, 0, buffer.length, size);
  if (n > 0) {
    hash.update(buffer.subarray(0, n));
    size += n;
    continue;
  }
  // The end of the file after the writer finished is the end of the archive.
  if (writerFinished) break;
  if (Atomics.load(state, 0) === ${FINISHED}) {
    // Bytes written just before the writer said so may be past the read that found none: read again.
    writerFinished = true;
    continue;
  }
  // Caught up with the writer: wait for it (woken when it finishes, else polled).
  Atomics.wait(state, 0, ${WRITING}, 2);
}
parentPort.postMessage({ digest: 'sha256:' + hash.digest('hex'), size });
`;

export interface FileHashing {
  /** The digest and the number of bytes hashed. */
  result: Promise<{ digest: Digest; size: number }>;
  /** Stops the worker (the result then rejects); harmless once it has finished. */
  stop(): void;
}

export interface FollowingHashing extends FileHashing {
  /** The writer has finished: the hash ends at the end of the file as it is now. */
  writerFinished(): void;
}

/**
 * Hashes the file open as `fd` from its start while a writer may still be appending to it. The
 * descriptor is the worker's from now on: it is closed when the worker has exited, however it
 * ends (a worker stopped mid-read cannot close it itself).
 */
export function hashFollowingWriter(fd: number, label: string): FollowingHashing {
  const state = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, state: state.buffer } });
  } catch (err) {
    closeQuietly(fd);
    throw toRegistryError(err, 'E_IO', `cannot start hashing ${label}`);
  }
  let settled = false;
  const result = new Promise<{ digest: Digest; size: number }>((resolve, reject) => {
    worker.once('message', (m: { digest: Digest; size: number }) => {
      settled = true;
      resolve(m);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(toRegistryError(err, 'E_IO', `cannot hash ${label}`));
    });
    worker.once('exit', (code) => {
      closeQuietly(fd);
      if (!settled) reject(new RegistryError('E_IO', `hashing ${label} stopped (worker exit code ${code})`, { path: label }));
    });
  });
  return {
    result,
    writerFinished() {
      Atomics.store(state, 0, FINISHED);
      Atomics.notify(state, 0);
    },
    stop() {
      if (!settled) void worker.terminate();
    },
  };
}

/** sha256 of a complete file, on the other core. */
export function hashFileInWorker(path: string): FileHashing {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const failed = Promise.reject(toRegistryError(err, 'E_IO', `cannot hash ${path}`));
    failed.catch(() => undefined);
    return { result: failed, stop() {} };
  }
  const hashing = hashFollowingWriter(fd, path);
  hashing.writerFinished();
  return hashing;
}

