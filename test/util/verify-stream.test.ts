import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { digestOfBytes } from '../../src/util/digest.js';
import { RegistryError } from '../../src/errors.js';
import { createVerifiedReadable, createVerifyStream } from '../../src/util/verify-stream.js';

type Shape = 'transform' | 'readable';

async function drain(shape: Shape, bytes: Buffer, expected: { digest: string; size: number }, onMismatch?: (r: string) => void | Promise<void>) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
  const options = { expectedDigest: expected.digest as `sha256:${string}`, expectedSize: expected.size, path: 'blob-under-test', onMismatch };
  const verified = shape === 'transform' ? Readable.from(chunks).pipe(createVerifyStream(options)) : createVerifiedReadable(Readable.from(chunks), options);
  const out: Buffer[] = [];
  try {
    for await (const c of verified) out.push(c as Buffer);
    return { bytes: Buffer.concat(out) };
  } catch (error) {
    return { error: error as { code: string; message: string; details: Record<string, unknown> } };
  }
}

describe.each<Shape>(['transform', 'readable'])('verify stream (%s)', (shape) => {
  const run = (b: Buffer, e: { digest: string; size: number }, m?: (r: string) => void | Promise<void>) => drain(shape, b, e, m);
  const bytes = Buffer.from('x'.repeat(5500));
  const good = { digest: digestOfBytes(bytes), size: bytes.length };

  it('passes matching bytes through unchanged', async () => {
    const mismatches: string[] = [];
    const r = await run(bytes, good, (reason) => void mismatches.push(reason));
    expect(r.bytes?.equals(bytes)).toBe(true);
    expect(mismatches).toEqual([]);
  });

  it('fails a different digest with Wanted/Found, after calling onMismatch once', async () => {
    const bad = Buffer.from(bytes);
    bad[10] = 0x79;
    const mismatches: string[] = [];
    const r = await run(bad, good, (reason) => void mismatches.push(reason));
    expect(r.error?.code).toBe('E_STORE_INTEGRITY');
    expect(r.error?.details).toMatchObject({ path: 'blob-under-test', expected: good.digest, found: digestOfBytes(bad) });
    expect(r.error?.message).toContain(`Wanted: ${good.digest} (5500 bytes)`);
    expect(mismatches).toEqual(['digest differs']);
  });

  it('fails as soon as more bytes than the size arrive, and on fewer bytes at the end', async () => {
    const longer = await run(Buffer.concat([bytes, Buffer.from('!')]), good);
    expect(longer.error?.details).toMatchObject({ foundSize: 5501, found: null });
    const shorter = await run(bytes.subarray(0, 10), good);
    expect(shorter.error?.details).toMatchObject({ foundSize: 10 });
  });

  it('a failing onMismatch is reported on the integrity error, not swallowed', async () => {
    const r = await run(Buffer.from('other'), good, () => {
      throw new Error('disk gone');
    });
    expect(r.error?.code).toBe('E_STORE_INTEGRITY');
    expect(r.error?.details['quarantineError']).toBe('disk gone');
  });
});

describe('verified readable: its own cases', () => {
  const bytes = Buffer.from('y'.repeat(4000));
  const good = { expectedDigest: digestOfBytes(bytes), expectedSize: bytes.length, path: 'blob-under-test' };

  it('turns a failure of the source into the coded error readError gives, not an integrity error', async () => {
    async function* failing() {
      yield bytes.subarray(0, 1000);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const verified = createVerifiedReadable(failing(), { ...good, readError: (err) => new RegistryError('E_IO', `cannot read: ${(err as Error).message}`) });
    await expect((async () => { for await (const _ of verified) { /* drain */ } })()).rejects.toMatchObject({ code: 'E_IO' });
  });

  it('stops reading the source when the reader stops early', async () => {
    let finished = false;
    async function* source() {
      try {
        for (let i = 0; i < 100; i++) yield bytes;
      } finally {
        finished = true;
      }
    }
    const verified = createVerifiedReadable(source(), { ...good, expectedSize: bytes.length * 100 });
    for await (const _ of verified) break;
    await new Promise((r) => setImmediate(r));
    expect(finished).toBe(true);
  });
});

