/**
 * A pass-through stream that hashes and counts the bytes flowing through it, and can stop them at
 * a byte limit. Used by publish intake: input → hashing stream → temp file, in one pass.
 */
import { Transform } from 'node:stream';
import type { Digest } from '../contracts/package.js';
import { RegistryError } from '../errors.js';
import { createDigestHash, digestFromHash } from './digest.js';

export interface HashingStreamOptions {
  /** Fail once more than this many bytes went through (default: no limit). */
  maxBytes?: number;
  /**
   * The error to fail with when maxBytes is passed. Default: E_STORE_INPUT_TOO_LARGE. A caller
   * with a more specific code (an archive size limit) passes its own.
   */
  limitError?: (maxBytes: number, seenBytes: number) => Error;
}

export interface HashingStream extends Transform {
  /** Bytes seen so far. */
  readonly bytes: number;
  /** The digest of every byte seen; valid once the stream has finished. */
  digest(): Digest;
}

export function createHashingStream(options: HashingStreamOptions = {}): HashingStream {
  const { maxBytes } = options;
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `maxBytes must be a non-negative integer, got ${String(maxBytes)}`, { found: maxBytes });
  }
  const hash = createDigestHash();
  let seen = 0;
  let finished = false;
  let result: Digest | undefined;

  const stream = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (maxBytes !== undefined && seen > maxBytes) {
        const err = options.limitError?.(maxBytes, seen) ?? new RegistryError(
          'E_STORE_INPUT_TOO_LARGE',
          `input is larger than the limit of ${maxBytes} bytes (at least ${seen} bytes were sent); nothing was stored`,
          { limit: { name: 'maxBytes', value: maxBytes }, found: seen },
        );
        return callback(err);
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      finished = true;
      result = digestFromHash(hash);
      callback();
    },
  }) as HashingStream;

  Object.defineProperty(stream, 'bytes', { get: () => seen });
  stream.digest = () => {
    if (!finished || result === undefined) {
      throw new RegistryError('E_INTERNAL', 'digest() of a hashing stream was read before the stream finished');
    }
    return result;
  };
  return stream;
}
