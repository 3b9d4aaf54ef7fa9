/**
 * Stream intake (src/core/stream-intake.ts): small streams are hashed as they pass, large ones by
 * a worker reading the temp file back; either way the digest is of the bytes in the temp file,
 * the limit holds, and a failure leaves no temp file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/context.js';
import { PARALLEL_HASH_BYTES } from '../../src/core/intake.js';
import { streamIntoTemp } from '../../src/core/stream-intake.js';
import { RegistryError } from '../../src/errors.js';
import { buildPackage } from '../../src/package/pack.js';
import { openRegistry } from '../../providers/index.js';
import { expectCode } from '../helpers/expect-code.js';
import { intakeContext } from '../helpers/intake-context.js';
import { digestOfBytes as sha } from '../../src/util/digest.js';

const KiB = 1024;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-stream-intake-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const context = (): CoreContext => intakeContext(dir);

const options = (maxBytes: number, workerFromBytes: number) => ({
  maxBytes,
  workerFromBytes,
  tooLarge: (seen: number) => new RegistryError('E_STORE_INPUT_TOO_LARGE', `passed ${seen} bytes`),
  idleTimeoutMs: 60_000,
});

/** Uneven chunks, some larger than the worker's read buffer. */
function chunks(total: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, left = total; left > 0; i++) {
    const n = Math.min(left, i % 5 === 4 ? 1536 * KiB : 7 * KiB * (i % 7) + 13);
    out.push(randomBytes(n));
    left -= n;
  }
  return out;
}

describe('streamIntoTemp', () => {
  for (const [what, workerFromBytes] of [
    ['hashed as it passes (below the worker threshold)', 64 * 1024 * KiB],
    ['hashed by a worker reading the file back (above it)', 64 * KiB],
  ] as const) {
    it(`a stream ${what}: digest, size and temp file agree with the bytes sent`, async () => {
      const parts = chunks(5 * 1024 * KiB + 3);
      const all = Buffer.concat(parts);
      const taken = await streamIntoTemp(context(), Readable.from(parts), options(64 * 1024 * KiB, workerFromBytes));
      expect(await taken.digest).toBe(sha(all));
      expect(taken.size).toBe(all.length);
      expect(readFileSync(taken.tempPath).equals(all)).toBe(true);
      taken.stop();
    });
  }

  it('a stream over the limit fails with the caller’s error and leaves no temp file, with or without a worker', async () => {
    for (const workerFromBytes of [64 * 1024 * KiB, 64 * KiB]) {
      await expectCode(() => streamIntoTemp(context(), Readable.from(chunks(3 * 1024 * KiB)), options(2 * 1024 * KiB, workerFromBytes)), 'E_STORE_INPUT_TOO_LARGE');
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    }
  });

  it('a source failing after the worker started gives E_IO and leaves no temp file', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(512 * KiB);
      yield randomBytes(512 * KiB);
      throw new Error('connection reset');
    }
    const err = await expectCode(() => streamIntoTemp(context(), Readable.from(failing()), options(64 * 1024 * KiB, 64 * KiB)), 'E_IO');
    expect(err.message).toMatch(/connection reset/);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('publishing a large archive given as a Readable', () => {
  it('gets the archive’s digest and leaves no temp file', async () => {
    const file = path.join(dir, 'big.zip');
    const packed = await buildPackage({ metadata: { name: 'streamed-big', version: '1.0.0', description: 'a large streamed package' }, files: { 'data.bin': randomBytes(PARALLEL_HASH_BYTES + 4096) } }, file);
    const store = path.join(dir, 'store');
    const registry = await openRegistry({ path: store, fsync: false, actor: 'tester', audit: false });
    const r = await registry.publishPackage(createReadStream(file));
    expect([r.digest, r.size, r.status]).toEqual([packed.digest, packed.size, 'published']);
    expect(readdirSync(path.join(store, 'tmp'))).toEqual([]);
    expect((await registry.verify()).ok).toBe(true);
    await registry.close();
  });
});
