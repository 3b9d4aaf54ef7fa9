import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { digestOfBytes } from '../../src/util/digest.js';
import { createVerifyStream } from '../../src/util/verify-stream.js';

async function drain(bytes: Buffer, expected: { digest: string; size: number }, onMismatch?: (r: string) => void | Promise<void>) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
  const verify = createVerifyStream({ expectedDigest: expected.digest as `sha256:${string}`, expectedSize: expected.size, path: 'blob-under-test', onMismatch });
  const out: Buffer[] = [];
  try {
    for await (const c of Readable.from(chunks).pipe(verify)) out.push(c as Buffer);
    return { bytes: Buffer.concat(out) };
  } catch (error) {
    return { error: error as { code: string; message: string; details: Record<string, unknown> } };
  }
}

describe('verify stream', () => {
  const bytes = Buffer.from('x'.repeat(5500));
  const good = { digest: digestOfBytes(bytes), size: bytes.length };

  it('passes matching bytes through unchanged', async () => {
    const mismatches: string[] = [];
    const r = await drain(bytes, good, (reason) => void mismatches.push(reason));
    expect(r.bytes?.equals(bytes)).toBe(true);
    expect(mismatches).toEqual([]);
  });

  it('fails a different digest with Wanted/Found, after calling onMismatch once', async () => {
    const bad = Buffer.from(bytes);
    bad[10] = 0x79;
    const mismatches: string[] = [];
    const r = await drain(bad, good, (reason) => void mismatches.push(reason));
    expect(r.error?.code).toBe('E_STORE_INTEGRITY');
    expect(r.error?.details).toMatchObject({ path: 'blob-under-test', expected: good.digest, found: digestOfBytes(bad) });
    expect(r.error?.message).toContain(`Wanted: ${good.digest} (5500 bytes)`);
    expect(mismatches).toEqual(['digest differs']);
  });

  it('fails as soon as more bytes than the size arrive, and on fewer bytes at the end', async () => {
    const longer = await drain(Buffer.concat([bytes, Buffer.from('!')]), good);
    expect(longer.error?.details).toMatchObject({ foundSize: 5501, found: null });
    const shorter = await drain(bytes.subarray(0, 10), good);
    expect(shorter.error?.details).toMatchObject({ foundSize: 10 });
  });

  it('a failing onMismatch is reported on the integrity error, not swallowed', async () => {
    const r = await drain(Buffer.from('other'), good, () => {
      throw new Error('disk gone');
    });
    expect(r.error?.code).toBe('E_STORE_INTEGRITY');
    expect(r.error?.details['quarantineError']).toBe('disk gone');
  });
});
