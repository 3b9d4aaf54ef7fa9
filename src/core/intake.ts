/**
 * Intake, the first step of publish and validate: the input (a path, bytes or a stream) is taken
 * in, hashed and measured, and cut off at limits.maxArchiveBytes. A whole archive is never held in
 * memory unless it is small:
 *
 * - up to SMALL_FILE_BYTES, a file is read and hashed with one synchronous call each and kept in
 *   memory (no temp file: publish stores it while validating it). For a 20 KB package the stream
 *   machinery, thread-pool round trips and file creations cost several times the work itself, and
 *   blocking the event loop for a few hundred microseconds is the same trade the SQLite provider
 *   makes. A small Buffer input is copied (the caller may reuse it);
 * - from PARALLEL_HASH_BYTES, a file is copied into the temp folder on another thread while the
 *   validator already reads the copy (background-copy.ts), or, for a validator without
 *   validateSource, copied by the kernel and hashed by a worker following the copy
 *   (large-file-intake.ts);
 * - anything else (a stream, a mid-sized file) is streamed into a temp file (stream-intake.ts).
 */
import { createReadStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ArchiveSource, Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { SMALL_ARCHIVE_BYTES as SMALL_FILE_BYTES } from '../limits.js';
import { digestOfBytes } from '../util/digest.js';
import type { CoreContext } from './context.js';
import { copyInBackground } from './background-copy.js';
import { copyAndHash } from './large-file-intake.js';
import { streamIntoTemp } from './stream-intake.js';
import type { PublishInput } from './types.js';

export interface IntakeResult {
  /**
   * The temp file holding the archive. Absent while a small archive is held in `bytes` only:
   * `tempFileOf` writes it out for a provider that needs a file.
   */
  tempPath?: string;
  size: number;
  /**
   * The sha256 of the temp file. Settled at once for small and streamed inputs; for a large file
   * it is computed on the other core while the caller validates the same file.
   */
  digest: Promise<Digest>;
  /**
   * The archive's bytes when it is small (at most SMALL_FILE_BYTES) and was read whole anyway:
   * publish validates them from memory while they are already being stored.
   */
  bytes?: Uint8Array;
  /**
   * The temp file while it is still being written (a large archive copied on another thread):
   * reads wait for their bytes. Validate through it; the file is complete once `digest` settles.
   */
  source?: ArchiveSource;
  /** Stops work still running for this intake (the hashing worker); call when giving up. */
  stop(): void;
}

/**
 * Files from this size are copied and hashed on another thread (background-copy.ts or
 * large-file-intake.ts): starting a worker costs tens of milliseconds, which only pays off on
 * large archives.
 */
export const PARALLEL_HASH_BYTES = 32 * 1024 * 1024;

export async function intakeToTempFile(ctx: CoreContext, input: PublishInput): Promise<IntakeResult> {
  const maxBytes = ctx.limits.maxArchiveBytes;
  if (input instanceof Uint8Array) {
    if (input.byteLength > maxBytes) throw tooLarge(`the package is ${input.byteLength} bytes`, maxBytes, { found: input.byteLength });
    // A copy: the caller may reuse its buffer while the publish runs.
    if (input.byteLength <= SMALL_FILE_BYTES) return inMemory(Buffer.from(input));
    // Large bytes go to a temp file at once (hashed and written in one synchronous stretch, so
    // the caller cannot change them in between) and are not held twice.
    const taken = await inMemory(input);
    await tempFileOf(ctx, taken);
    delete taken.bytes;
    return taken;
  }
  if (typeof input === 'string') {
    const size = fileSize(input, maxBytes);
    if (size <= SMALL_FILE_BYTES) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(input);
      } catch (err) {
        throw toRegistryError(err, 'E_IO', `cannot read package file '${input}'`);
      }
      // Re-checked: the file may have grown since it was measured.
      if (bytes.length > maxBytes) throw tooLarge(`package file '${input}' is ${bytes.length} bytes`, maxBytes, { path: input, found: bytes.length });
      return inMemory(bytes);
    }
    if (size >= PARALLEL_HASH_BYTES && ctx.validation.validateSource) {
      // Copied on another thread while the validator already reads the copy (background-copy.ts).
      return copyInBackground(ctx, input, size);
    }
    if (size >= PARALLEL_HASH_BYTES) {
      return copyAndHash(ctx, input, maxBytes, (found) => tooLarge(`package file '${input}' grew to ${found} bytes while it was read`, maxBytes, { path: input, found }));
    }
    return streamIn(ctx, createReadStream(input, { highWaterMark: 1024 * 1024 }));
  }
  // Any Readable: its chunks are checked as they pass (Readable.from([buffer]) is object mode and fine).
  if (input instanceof Readable) return streamIn(ctx, input);
  throw new RegistryError('E_INVALID_ARGUMENT', `publishPackage takes a file path, a Buffer or a Readable, got ${input === null ? 'null' : typeof input}`);
}

/**
 * A small archive stays in memory: no temp file is made unless a provider needs one (creating a
 * file is a metadata update the filesystem journals; on a 20 KB publish it cost more than the
 * bytes). The digest is of these very bytes, which are the ones validated and stored.
 */
async function inMemory(bytes: Uint8Array): Promise<IntakeResult> {
  return { size: bytes.byteLength, digest: Promise.resolve(digestOfBytes(bytes)), bytes, stop() {} };
}

/** The archive as a file: the temp file, written out first when intake held the bytes only. */
export async function tempFileOf(ctx: CoreContext, taken: IntakeResult): Promise<string> {
  if (taken.tempPath !== undefined) return taken.tempPath;
  const bytes = taken.bytes;
  if (!bytes) throw new RegistryError('E_INTERNAL', 'intake kept neither a temp file nor the bytes of the archive');
  const tempPath = await ctx.temp.path();
  try {
    // Born read-only, as stored blobs are: the store then has no mode change to make.
    writeFileSync(tempPath, bytes, { flag: 'wx', mode: 0o444 });
  } catch (err) {
    rmSync(tempPath, { force: true });
    throw toRegistryError(err, 'E_IO', `cannot write the package into temp file ${tempPath}`);
  }
  taken.tempPath = tempPath;
  return tempPath;
}

async function streamIn(ctx: CoreContext, source: Readable): Promise<IntakeResult> {
  const maxBytes = ctx.limits.maxArchiveBytes;
  return streamIntoTemp(ctx, source, {
    maxBytes,
    workerFromBytes: PARALLEL_HASH_BYTES,
    tooLarge: (seen) => tooLarge(`the package stream passed ${seen} bytes`, maxBytes, { found: seen }),
    idleTimeoutMs: ctx.limits.streamIdleTimeoutMs,
  });
}

function fileSize(file: string, maxBytes: number): number {
  let info;
  try {
    info = statSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RegistryError('E_INPUT_NOT_FOUND', `cannot read package file '${file}': ${e.code ?? e.message}`, { path: file }, { cause: err });
  }
  if (!info.isFile()) throw new RegistryError('E_INPUT_NOT_FOUND', `'${file}' is not a file; give the path of a .zip package`, { path: file });
  if (info.size > maxBytes) throw tooLarge(`package file '${file}' is ${info.size} bytes`, maxBytes, { path: file, found: info.size });
  return info.size;
}

function tooLarge(what: string, maxBytes: number, details: { path?: string; found: number }): RegistryError {
  return new RegistryError('E_STORE_INPUT_TOO_LARGE', `${what}, more than limits.maxArchiveBytes (${maxBytes} bytes); publish a smaller archive or raise the limit`, {
    ...details,
    limit: { name: 'maxArchiveBytes', value: maxBytes },
  });
}
