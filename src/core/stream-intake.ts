/**
 * Intake of a stream (a Readable given to publish, or a file path of medium size): its bytes go
 * through this thread into a temp file, counted and cut off at the archive size limit.
 *
 * A small stream is hashed here as it passes. Once a stream passes `workerFromBytes`, hashing
 * moves to a worker thread that reads the temp file back from its start as it grows (the bytes
 * hashed are those in the file, the ones validated and stored), so this thread only moves bytes;
 * and when the stream has ended, the file's flush to disk starts while the validator reads it,
 * so the store's fsync finds nothing left to write (see large-file-intake.ts for the figures).
 * A worker only pays off on large inputs: starting one costs tens of milliseconds.
 */
import { openSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { createDigestHash, digestFromHash } from '../util/digest.js';
import { flushInBackground } from '../util/flush-in-background.js';
import type { CoreContext } from './context.js';
import { hashFollowingWriter, type FollowingHashing } from './hash-worker.js';

export interface StreamIntakeOptions {
  maxBytes: number;
  /** From this many bytes on, a worker hashes the temp file instead of this thread. */
  workerFromBytes: number;
  /** The error for a stream that passes maxBytes, given the bytes seen so far. */
  tooLarge(seen: number): RegistryError;
  /** Give up on a source that sends nothing for this many milliseconds. */
  idleTimeoutMs: number;
}

export interface StreamIntake {
  tempPath: string;
  size: number;
  /** The temp file's sha256 (for a large stream: once hashed by the worker and flushed to disk). */
  digest: Promise<Digest>;
  /** Stops the hashing worker, if one runs; call when giving up. */
  stop(): void;
}

export async function streamIntoTemp(ctx: CoreContext, source: Readable, options: StreamIntakeOptions): Promise<StreamIntake> {
  let tempPath: string;
  let handle;
  try {
    tempPath = await ctx.temp.path();
    // 'wx': never a file someone else owns, even if names collided.
    handle = await open(tempPath, 'wx');
  } catch (err) {
    source.destroy();
    throw toRegistryError(err, 'E_IO', `cannot create a temp file in ${ctx.temp.dir} for the package`);
  }
  let seen = 0;
  let hash: ReturnType<typeof createDigestHash> | undefined = createDigestHash();
  let follower: FollowingHashing | undefined;
  // A source that sends nothing for this long is given up on: it would hold a temp file and a publish open forever.
  let idle: NodeJS.Timeout | undefined;
  const watchIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => source.destroy(idleTimeout(options.idleTimeoutMs)), options.idleTimeoutMs);
    idle.unref();
  };
  watchIdle();
  const meter = new Transform({
    // Any chunk reaches transform(), where one that is not bytes fails the publish (a byte-mode
    // writable would throw it from write(), outside the pipeline, as an uncaught error).
    writableObjectMode: true,
    transform(chunk: unknown, _encoding, callback) {
      // Checked here, inside the pipeline: a bad chunk must fail this publish, never throw out of the caller's reach.
      if (!(chunk instanceof Uint8Array)) return callback(new RegistryError('E_INVALID_ARGUMENT', `publishPackage takes a stream of bytes, got a chunk of type ${chunk === null ? 'null' : typeof chunk}`, { found: typeof chunk }));
      watchIdle();
      seen += chunk.length;
      if (seen > options.maxBytes) return callback(options.tooLarge(seen));
      if (hash && seen > options.workerFromBytes) {
        // Large: from here a worker hashes the file from its start as it is written.
        hash = undefined;
        try {
          follower = hashFollowingWriter(openSync(tempPath, 'r'), tempPath);
        } catch (err) {
          return callback(toRegistryError(err, 'E_IO', `cannot start hashing ${tempPath}`));
        }
        // Awaited through `digest` below; when the stream fails it never is.
        follower.result.catch(() => undefined);
      }
      hash?.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, handle.createWriteStream());
  } catch (err) {
    clearTimeout(idle);
    source.destroy();
    follower?.stop();
    await rm(tempPath, { force: true }).catch(() => undefined);
    // The source stream refused its own chunk: what the caller handed over was not bytes.
    if ((err as { code?: unknown }).code === 'ERR_INVALID_ARG_TYPE') {
      throw new RegistryError('E_INVALID_ARGUMENT', `publishPackage takes a stream of bytes; the stream failed: ${(err as Error).message}`, { found: 'a chunk that is not bytes' });
    }
    throw toRegistryError(err, 'E_IO', `cannot write the package into temp file ${tempPath}`);
  }
  clearTimeout(idle);
  const size = seen;
  if (!follower) return { tempPath, size, digest: Promise.resolve(digestFromHash(hash!)), stop() {} };
  const hashing = follower;
  hashing.writerFinished();
  const flushed = ctx.storage.capabilities.moveFromTemp ? flushInBackground(tempPath) : Promise.resolve();
  const digest = Promise.all([hashing.result, flushed]).then(([r]) => {
    if (r.size !== size) throw new RegistryError('E_IO', `temp file ${tempPath} holds ${r.size} bytes but ${size} were written`, { path: tempPath });
    return r.digest;
  });
  // Handled here so that giving up early (validation failed) is not an unhandled rejection;
  // whoever awaits `digest` still sees the failure.
  digest.catch(() => undefined);
  return { tempPath, size, digest, stop: () => hashing.stop() };
}

function idleTimeout(ms: number): RegistryError {
  return new RegistryError('E_INPUT_IDLE_TIMEOUT', `the package stream sent nothing for ${ms} ms; the publish was given up and nothing was stored`, { limit: { name: 'streamIdleTimeoutMs', value: ms } });
}
