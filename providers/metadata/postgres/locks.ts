/**
 * Advisory lock keys. PostgreSQL's advisory locks are named by numbers only, so each key is
 * derived from the schema's name: two pakt stores in one database never wait on each other (bar a
 * 1 in 2^32 collision, which costs a wait, never a wrong answer), and no other application's
 * single-number locks are touched (blob locks use the two-number form, a separate key space).
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../../../src/contracts/index.js';

function hashOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The one-number (int8) key that serialises migrations of `schema`. */
export function migrationLockKey(schema: string): bigint {
  return hashOf(`pakt:migrate:${schema}`).readBigInt64BE(0);
}

/** The first number (int4) of every blob lock of `schema`. */
export function blobLockClass(schema: string): number {
  return hashOf(`pakt:blob:${schema}`).readInt32BE(0);
}

/**
 * The second number (int4) of the lock that guards one digest: inserts referring to it hold it
 * shared, a removal of it exclusive. A digest's hex is already uniformly random.
 */
export function digestLockKey(digest: Digest): number {
  return Buffer.from(digest.slice('sha256:'.length, 'sha256:'.length + 8), 'hex').readInt32BE(0);
}
