/**
 * The background copy (src/core/background-copy.ts): the validator reads the temp copy while a
 * worker makes it, the end of the archive first. Reads wait for their bytes and get exactly the
 * source's; the digest is of the copy; a copy that fails makes waiting reads and the digest fail
 * with E_IO; a stopped copy leaves nothing open.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyInBackground } from '../../src/core/background-copy.js';
import type { CoreContext } from '../../src/core/context.js';
import { expectCode } from '../helpers/expect-code.js';
import { intakeContext } from '../helpers/intake-context.js';
import { digestOfBytes as sha } from '../../src/util/digest.js';

const MiB = 1024 * 1024;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-background-copy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const context = (moveFromTemp = true): CoreContext => intakeContext(dir, moveFromTemp);

async function readAll(source: { size: number; read(b: Uint8Array, o: number, l: number, p: number): Promise<number> }, from: number, to: number): Promise<Buffer> {
  const out = Buffer.alloc(to - from);
  for (let done = 0; done < out.length; ) {
    const n = await source.read(out, done, out.length - done, from + done);
    if (n === 0) break;
    done += n;
  }
  return out;
}

describe('copyInBackground', () => {
  for (const moveFromTemp of [true, false]) {
    it(`serves reads as the copy grows, the end first, with the source's bytes; the digest is the copy's (store ${moveFromTemp ? 'moves' : 'copies'} temp files)`, async () => {
      const bytes = randomBytes(40 * MiB + 12_345);
      const input = path.join(dir, 'big.zip');
      writeFileSync(input, bytes);
      const copy = await copyInBackground(context(moveFromTemp), input, bytes.length);
      try {
        // The last bytes and the first bytes, asked for at once, as the validator does.
        const [tail, head] = await Promise.all([readAll(copy.source, bytes.length - 100_000, bytes.length), readAll(copy.source, 0, 3 * MiB)]);
        expect(tail.equals(bytes.subarray(bytes.length - 100_000))).toBe(true);
        expect(head.equals(bytes.subarray(0, 3 * MiB))).toBe(true);
        expect(await copy.digest).toBe(sha(bytes));
        expect((await readAll(copy.source, 0, bytes.length)).equals(bytes)).toBe(true);
        // A read past the end reads nothing, like a file.
        expect(await copy.source.read(Buffer.alloc(10), 0, 10, bytes.length)).toBe(0);
        expect(readFileSync(copy.tempPath).equals(bytes)).toBe(true);
      } finally {
        copy.stop();
      }
    });
  }

  it('a source that becomes shorter during the copy fails the digest and every waiting read with E_IO', async () => {
    const bytes = randomBytes(64 * MiB);
    const input = path.join(dir, 'shrinking.zip');
    writeFileSync(input, bytes);
    const copy = await copyInBackground(context(), input, bytes.length);
    // Cut the source before the worker gets far (it copies 16 MiB of the end first).
    truncateSync(input, 20 * MiB);
    const waiting = readAll(copy.source, 60 * MiB, 61 * MiB).then(() => 'read', (e: { code?: string }) => e.code);
    const err = await expectCode(() => copy.digest, 'E_IO');
    // Either the copy had passed that point before the cut, or the read fails with the copy.
    expect(['read', 'E_IO']).toContain(await waiting);
    expect(err.message).toMatch(/shorter|copy/);
    await expectCode(() => readAll(copy.source, 63 * MiB, 64 * MiB), 'E_IO');
    copy.stop();
  });

  it('a source that cannot be opened fails the digest and reads with E_IO', async () => {
    const copy = await copyInBackground(context(), path.join(dir, 'absent.zip'), 40 * MiB);
    await expectCode(() => copy.digest, 'E_IO');
    await expectCode(() => readAll(copy.source, 0, 10), 'E_IO');
    copy.stop();
  });

  it('stopped while reads wait, those reads fail with E_IO; stopping twice is harmless', async () => {
    const bytes = randomBytes(48 * MiB);
    const input = path.join(dir, 'stopped.zip');
    writeFileSync(input, bytes);
    const copy = await copyInBackground(context(), input, bytes.length);
    const waiting = readAll(copy.source, 30 * MiB, 31 * MiB).then(() => 'read', (e: { code?: string }) => e.code);
    copy.stop();
    copy.stop();
    expect(['read', 'E_IO']).toContain(await waiting);
    await expectCode(() => readAll(copy.source, 40 * MiB, 41 * MiB), 'E_IO');
    await expectCode(() => copy.digest, 'E_IO');
  });
});
