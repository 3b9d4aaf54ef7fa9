/**
 * Starts writing a file's data to disk early, so that a later fsync (the store's, which makes the
 * archive durable) finds nothing left to write. On a large publish the flush then waits for the
 * disk while the validator uses the CPU, instead of after it: the kernel's own writeback starts
 * far later (its threshold is a share of the RAM, gigabytes on a server).
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import { toRegistryError } from '../errors.js';

/**
 * fdatasync of the file at `path` on the thread pool; resolves when its data is on disk. Its
 * failure must not be ignored: after a failed flush Linux marks the pages clean, and an fsync
 * through a descriptor opened afterwards (the store's) would then report success.
 */
export function flushInBackground(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      reject(toRegistryError(err, 'E_IO', `cannot open ${path} to flush it to disk`));
      return;
    }
    fdatasync(fd, (err) => {
      try {
        closeSync(fd);
      } catch {
        // Opened read-only for the flush: a failed close loses nothing.
      }
      if (err) reject(toRegistryError(err, 'E_IO', `cannot flush ${path} to disk`));
      else resolve();
    });
  });
}
