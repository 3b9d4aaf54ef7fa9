/**
 * Blob number `i` of a fixed, reproducible series: the crash test's child stores them and the
 * test knows every one of them afterwards without being told (the child may die before saying).
 * Sizes run from 1 byte to about 300 KB, all below IN_PLACE_MAX_BYTES (written in place).
 */
import { createHash } from 'node:crypto';

export function seriesBlob(i: number): Buffer {
  const size = 1 + ((i * 7919 + 13) % 300_000);
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`series-${i}`).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at, 0, Math.min(block.length, size - at));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
