/** Digests of archives: `sha256:<64 lowercase hex>` of the bytes as published. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Digest } from '../contracts/package.js';
import { toRegistryError } from '../errors.js';

export function toDigest(hex: string): Digest {
  return `sha256:${hex}`;
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** Streams a file through sha256. */
export async function digestFile(file: string): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  return { digest: toDigest(hash.digest('hex')), size };
}
