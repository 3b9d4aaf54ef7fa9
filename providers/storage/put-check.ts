/** Argument checks and the mismatch error shared by every storage provider in this folder. */
import type { Digest } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { assertDigest } from '../../src/util/digest.js';

export function checkPutArguments(digest: Digest, size: number, sourcePath: string): void {
  assertDigest(digest);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RegistryError('E_INVALID_ARGUMENT', `size of ${digest} must be a non-negative integer, got ${String(size)}`, { found: size });
  }
  if (typeof sourcePath !== 'string' || sourcePath === '') {
    throw new RegistryError('E_INVALID_ARGUMENT', `put(${digest}) needs the path of the file to store`, { found: sourcePath });
  }
}

/** The file handed to put() is not what the caller announced; nothing was stored. */
/** `sourcePath` is undefined for putBytes (the bytes came from memory). */
export function putMismatchError(
  digest: Digest,
  sourcePath: string | undefined,
  found: { size: number; foundSize: number; foundDigest?: Digest },
): RegistryError {
  const what = found.foundSize !== found.size
    ? `is ${found.foundSize} bytes, but ${found.size} bytes were announced`
    : `hashes to ${found.foundDigest}, not to the announced digest`;
  return new RegistryError(
    'E_STORE_PUT_MISMATCH',
    `${sourcePath === undefined ? 'the bytes' : `file ${sourcePath}`} given to store ${digest} ${what}; nothing was stored`,
    { ...(sourcePath === undefined ? {} : { path: sourcePath }), expected: { digest, size: found.size }, found: { digest: found.foundDigest ?? null, size: found.foundSize } },
  );
}

export function checkPutBytesArguments(digest: Digest, bytes: Uint8Array): void {
  assertDigest(digest);
  if (!(bytes instanceof Uint8Array)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `putBytes(${digest}) needs the bytes to store (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`);
  }
}
