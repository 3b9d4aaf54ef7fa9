/**
 * A pass-through stream that checks the bytes flowing through it against an expected size and
 * digest: the size as soon as it is exceeded, both at the end. On mismatch the stream fails with
 * E_STORE_INTEGRITY (Wanted/Found in the message) after calling `onMismatch`, so the store can
 * quarantine the blob before the reader sees the error. Readers therefore never get a clean end
 * on bytes that do not match: whoever writes the output to disk must delete it on error.
 */
import { Transform, type TransformCallback } from 'node:stream';
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

export function createVerifyStream(options: VerifyStreamOptions): Transform {
  const hash = createDigestHash();
  let seen = 0;
  let failed = false;

  const fail = (reason: string, found: { digest?: Digest; size: number }, callback: TransformCallback): void => {
    failed = true;
    const err = new RegistryError(
      'E_STORE_INTEGRITY',
      `stored archive ${options.path} does not match its digest: ${reason}\n  Wanted: ${options.expectedDigest} (${options.expectedSize} bytes)\n  Found:  ${found.digest ?? '(not computed)'} (${found.size}${found.digest ? '' : '+'} bytes)`,
      { path: options.path, expected: options.expectedDigest, found: found.digest ?? null, expectedSize: options.expectedSize, foundSize: found.size },
    );
    Promise.resolve()
      .then(() => options.onMismatch?.(reason))
      .catch((qerr: unknown) => {
        err.details['quarantineError'] = qerr instanceof Error ? qerr.message : String(qerr);
      })
      .finally(() => callback(err));
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
