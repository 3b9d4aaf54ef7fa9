/**
 * Where the fs-cas store keeps things. One example, for the digest
 * sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 in a store at `.pakt`:
 *
 *   .pakt/content-v1/sha256/2c/f2/4dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
 *
 * `content-v1` names the layout version: a future layout goes into `content-v2` beside it, and
 * code that only knows v1 refuses a store that has a newer one (E_STORE_LAYOUT_NEWER) instead of
 * writing into a layout it does not understand. `sha256` names the algorithm, so a second one can
 * live alongside. Two levels of two hex characters keep every folder under ~65k entries even for
 * millions of blobs. See docs/storage-format.md.
 */
import { join } from 'node:path';
import type { Digest } from '../../src/contracts/index.js';
import { digestHex } from '../../src/util/digest.js';

export const LAYOUT_VERSION = 1;
export const CONTENT_DIR = `content-v${LAYOUT_VERSION}`;
export const ALGORITHM_DIR = 'sha256';
export const TEMP_DIR = 'tmp';
export const QUARANTINE_DIR = 'quarantine';

/** Matches any layout folder, to detect a store written by newer code. */
export const CONTENT_DIR_PATTERN = /^content-v(\d+)$/;

export function contentRoot(root: string): string {
  return join(root, CONTENT_DIR, ALGORITHM_DIR);
}

export function blobPath(root: string, digest: Digest): string {
  const hex = digestHex(digest);
  return join(contentRoot(root), hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/** The digest a path under contentRoot stands for, from its three last segments; undefined for foreign names. */
export function digestFromSegments(a: string, b: string, rest: string): Digest | undefined {
  const hex = `${a}${b}${rest}`;
  return a.length === 2 && b.length === 2 && /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : undefined;
}
