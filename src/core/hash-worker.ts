/**
 * sha256 of a file on the other core. Publishing a large archive from a path hashes the temp copy
 * in a worker thread while the validator reads the same copy on the main thread; done one after
 * the other, the archive hash alone is a fifth of a 1 GiB publish.
 *
 * The worker's code is inline (eval) so it runs the same from the TypeScript sources (tests) and
 * from dist/ (the package): there is no separate file to locate.
 */
import { Worker } from 'node:worker_threads';
import type { Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(1024 * 1024);
const fd = fs.openSync(workerData.path, 'r');
let size = 0;
try {
  for (;;) {
    const n = fs.readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    size += n;
  }
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage({ digest: 'sha256:' + hash.digest('hex'), size });
`;

export interface FileHashing {
  /** The digest and the number of bytes hashed. */
  result: Promise<{ digest: Digest; size: number }>;
  /** Stops the worker (the result then rejects); harmless once it has finished. */
  stop(): void;
}

export function hashFileInWorker(path: string): FileHashing {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
  let settled = false;
  const result = new Promise<{ digest: Digest; size: number }>((resolve, reject) => {
    worker.once('message', (m: { digest: Digest; size: number }) => {
      settled = true;
      resolve(m);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(toRegistryError(err, 'E_IO', `cannot hash ${path}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new RegistryError('E_IO', `hashing ${path} stopped (worker exit code ${code})`, { path }));
    });
  });
  return {
    result,
    stop() {
      if (!settled) void worker.terminate();
    },
  };
}
