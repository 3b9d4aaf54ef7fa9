/** Digests of archives: `sha256:<64 lowercase hex>` of the bytes as published. */
import { createReadStream } from 'node:fs';
import type { Digest } from '../contracts/package.js';
import { toRegistryError } from '../errors.js';
import { createDigestHash, digestFromHash, isDigest } from '../util/digest.js';

export { isDigest };

export function toDigest(hex: string): Digest {
  return `sha256:${hex}`;
}

/** Streams a file through sha256. */
export async function digestFile(file: string): Promise<{ digest: Digest; size: number }> {
  const hash = createDigestHash();
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  return { digest: digestFromHash(hash), size };
}
