/**
 * Checking bytes against an expected size and digest while they stream: the size as soon as it is
 * exceeded, both at the end. On mismatch the stream fails with E_STORE_INTEGRITY (Wanted/Found in
 * the message) after calling `onMismatch`, so the store can quarantine the blob before the reader
 * sees the error. Readers therefore never get a clean end on bytes that do not match: whoever
 * writes the output to disk must delete it on error.
 *
 * Two shapes of the same check: `createVerifiedReadable` wraps a source it reads itself (what the
 * stores use: it spares the extra stream hop of a Transform, which costs much of the throughput),
 * and `createVerifyStream`, a pass-through Transform for callers that already have a pipeline.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../contracts/package.js';
import { RegistryError } from '../errors.js';
import { createDigestHash, digestFromHash } from './digest.js';

export interface VerifyStreamOptions {
  expectedDigest: Digest;
  expectedSize: number;
  /** Where the bytes come from, for the error message (a file path, `memory:<digest>`). */
  path: string;
  /**
   * Called once, before the stream errors, with a reason in words. Typically quarantines the blob.
   * A failure inside it is attached to the integrity error as `quarantineError`, never swallowed silently.
   */
  onMismatch?: (reason: string) => Promise<void> | void;
}

/** Builds the E_STORE_INTEGRITY error and runs onMismatch first; resolves with the error to raise. */
async function mismatch(options: VerifyStreamOptions, reason: string, found: { digest?: Digest; size: number }): Promise<RegistryError> {
  const err = new RegistryError(
    'E_STORE_INTEGRITY',
    `stored archive ${options.path} does not match its digest: ${reason}\n  Wanted: ${options.expectedDigest} (${options.expectedSize} bytes)\n  Found:  ${found.digest ?? '(not computed)'} (${found.size}${found.digest ? '' : '+'} bytes)`,
    { path: options.path, expected: options.expectedDigest, found: found.digest ?? null, expectedSize: options.expectedSize, foundSize: found.size },
  );
  try {
    await options.onMismatch?.(reason);
  } catch (qerr) {
    err.details['quarantineError'] = qerr instanceof Error ? qerr.message : String(qerr);
  }
  return err;
}

export interface VerifiedReadableOptions extends VerifyStreamOptions {
  /** Turns a failure of the source itself (a read error) into a coded error. */
  readError?: (err: unknown) => RegistryError;
}

/**
 * A Readable of `source`'s bytes, verified as they pass. Destroying the Readable early ends the
 * iteration of `source` (so a file stream closes its descriptor).
 */
export function createVerifiedReadable(source: AsyncIterable<Uint8Array>, options: VerifiedReadableOptions): Readable {
  async function* verified(): AsyncGenerator<Uint8Array> {
    const hash = createDigestHash();
    let seen = 0;
    try {
      for await (const chunk of source) {
        seen += chunk.length;
        if (seen > options.expectedSize) throw await mismatch(options, 'more bytes than the recorded size', { size: seen });
        hash.update(chunk);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof RegistryError && err.code === 'E_STORE_INTEGRITY') throw err;
      throw options.readError ? options.readError(err) : err;
    }
    if (seen !== options.expectedSize) throw await mismatch(options, 'size differs', { size: seen });
    const found = digestFromHash(hash);
    if (found !== options.expectedDigest) throw await mismatch(options, 'digest differs', { digest: found, size: seen });
  }
  return Readable.from(verified(), { objectMode: false });
}

/** The same check as a pass-through Transform. */
export function createVerifyStream(options: VerifyStreamOptions): Transform {
  const hash = createDigestHash();
  let seen = 0;
  let failed = false;

  const fail = (reason: string, found: { digest?: Digest; size: number }, callback: TransformCallback): void => {
    failed = true;
    void mismatch(options, reason, found).then((err) => callback(err));
  };

  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      if (failed) return callback();
      seen += chunk.length;
      if (seen > options.expectedSize) {
        return fail(`more bytes than the recorded size`, { size: seen }, callback);
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (failed) return callback();
      if (seen !== options.expectedSize) {
        return fail(`size differs`, { size: seen }, callback);
      }
      const found = digestFromHash(hash);
      if (found !== options.expectedDigest) {
        return fail(`digest differs`, { digest: found, size: seen }, callback);
      }
      callback();
    },
  });
}
