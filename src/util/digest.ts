/**
 * The archive digest `sha256:<64 lowercase hex>`: parsing, checking and computing it.
 * Predicates never throw; `assertDigest` is the one place that turns a bad digest into a coded error.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Digest } from '../contracts/package.js';
import { RegistryError } from '../errors.js';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** True for a well-formed `sha256:<64 lowercase hex>`; false for anything else (never throws). */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && value.length === 71 && DIGEST_RE.test(value);
}

/** Throws E_INVALID_ARGUMENT unless `value` is a well-formed digest. */
export function assertDigest(value: unknown, what = 'digest'): asserts value is Digest {
  if (!isDigest(value)) {
    const shown = typeof value === 'string' ? `'${value.slice(0, 80)}'` : String(value);
    throw new RegistryError(
      'E_INVALID_ARGUMENT',
      `${what} ${shown} is not of the form sha256:<64 lowercase hex>`,
      { found: typeof value === 'string' ? value.slice(0, 80) : String(value), expected: 'sha256:<64 lowercase hex>' },
    );
  }
}

/** The 64 hex characters of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** A fresh sha256 hasher; pair with `digestFromHash` once every byte went through. */
export function createDigestHash(): Hash {
  return createHash('sha256');
}

export function digestFromHash(hash: Hash): Digest {
  return `sha256:${hash.digest('hex')}`;
}

/** Digest of bytes already in memory (small inputs, tests). */
export function digestOfBytes(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
