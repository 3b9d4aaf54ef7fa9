/**
 * The one atomic-write helper for every small file pakt owns (quarantine notes, layout markers,
 * config). A reader sees either the old file or the new one, never a mix, and after the promise
 * resolves the new one survives a power cut.
 *
 * How: a temp file created with `wx` in `tmpDir` (unique name per call), write, fsync, rename
 * over the target, fsync the target's folder; the temp file is removed in `finally` on failure.
 * Writes to the same target from this process are queued, so they land in call order and never
 * race on the rename. Writes from other processes are not queued: the last rename wins, and each
 * version is still whole.
 *
 * Archive blobs do not go through here: they are streamed by writeStreamToTempFile and moved by
 * the storage provider, which follows the same temp → fsync → rename → fsync-folder order.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { toRegistryError } from '../errors.js';
import { fsyncDir } from './fsync.js';
import { tempPath } from './tmp.js';

export interface AtomicWriteOptions {
  /**
   * Folder for the temp file. It MUST be on the same filesystem as the target, or the rename
   * fails (EXDEV). Default: the target's own folder, which always is; a store passes its
   * `<root>/tmp` so that crash leftovers are found and swept in one place.
   */
  tmpDir?: string;
  /**
   * fsync the file before the rename and the folder after it (default true). Turning it off makes
   * writes several times faster on spinning disks and some network filesystems, at the price of
   * durability: after a power cut the target may hold the old content, or (on filesystems without
   * rename ordering) an empty file. Atomicity towards concurrent readers holds either way.
   */
  fsync?: boolean;
  /** File mode of the new file (default 0o644, before umask). */
  mode?: number;
}

const queues = new Map<string, Promise<unknown>>();

/** Atomically replaces `target` with `data`. Fails with E_IO (cause attached) on any OS error. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  // One queue per file, however the caller spelled its path.
  const key = resolve(target);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => writeNow(target, data, options));
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  // Forget the queue once idle, so the map does not grow with every path ever written.
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

async function writeNow(target: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const durable = options.fsync ?? true;
  const dir = options.tmpDir ?? dirname(target);
  const temp = tempPath(dir);
  let renamed = false;
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    renamed = true;
    if (durable) await fsyncDir(dirname(target));
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot write ${target}`);
  } finally {
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
  }
}
