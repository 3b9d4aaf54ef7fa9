/**
 * The storage provider conformance suite: the behaviour every StorageProvider must show.
 * Run it against your own provider:
 *
 *   describeStorageConformance({ name: 's3', create: () => createS3Storage({ bucket }), corrupt: overwriteObject });
 *
 * Cases that need something the provider does not offer (a way to corrupt a blob behind its back,
 * a reopen on the same backing store) are reported as skipped with "unsupported: ..." in their
 * title, never as passed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import semver from 'semver';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { CORE_VERSION, type BlobInfo, type BlobOwner, type Digest, type StorageProvider } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { digestOfBytes } from '../../src/util/digest.js';
import { conformanceCases } from './harness.js';

export interface StorageConformanceOptions<P extends StorageProvider = StorageProvider> {
  /** Shown in the suite title. */
  name: string;
  /** A fresh, empty provider; called once per case. */
  create: () => Promise<P> | P;
  /** Removes what create() made; called after close(). */
  cleanup?: (provider: P) => Promise<void> | void;
  /** Opens the same backing store again after `provider` was closed (for the `persistent` case). */
  reopen?: (provider: P) => Promise<P> | P;
  /**
   * Replaces a stored blob's bytes without going through the provider, as a failing disk would.
   * Without it the integrity cases are reported unsupported.
   */
  corrupt?: (provider: P, digest: Digest, bytes: Buffer) => Promise<void> | void;
  /** Titles of cases to skip (known gaps of an implementation, listed openly). */
  skip?: readonly string[];
}

/**
 * The owner the suite names for a blob: the core always passes one where it knows it, and an
 * owner-placed store (ownerRequired) needs it. Derived from the digest, as a real archive's owner
 * is fixed by its bytes.
 */
export function ownerFor(digest: Digest): BlobOwner {
  return { name: 'conformance-blob', version: `0.0.0-${digest.slice('sha256:'.length, 'sha256:'.length + 12)}` };
}

/** Reads a blob to the end; returns the bytes or the error the promise or the stream ended with. */
export async function readBlob(storage: StorageProvider, digest: Digest): Promise<{ bytes?: Buffer; error?: unknown }> {
  let stream: Readable;
  try {
    stream = await storage.get(digest, ownerFor(digest));
  } catch (error) {
    return { error };
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  } catch (error) {
    return { error };
  }
  return { bytes: Buffer.concat(chunks) };
}

/** Every listed blob as { digest, size } (the owner, which a provider may add, is checked apart). */
async function listAll(storage: StorageProvider): Promise<BlobInfo[]> {
  const all: BlobInfo[] = [];
  for await (const info of storage.list()) all.push({ digest: info.digest, size: info.size });
  return all.sort((a, b) => a.digest.localeCompare(b.digest));
}

function codeOf(error: unknown): string | undefined {
  return error instanceof RegistryError ? error.code : undefined;
}

export async function describeStorageConformance<P extends StorageProvider>(options: StorageConformanceOptions<P>): Promise<void> {
  const probe = await options.create();
  const caps = { ...probe.capabilities };
  const hasPutBytes = typeof probe.putBytes === 'function';
  await probe.close?.();
  await options.cleanup?.(probe);

  const { test, needs } = conformanceCases(options.skip);
  const open: P[] = [];
  const roots: P[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'pakt-storage-conformance-'));
  let counter = 0;

  async function fresh(): Promise<P> {
    const p = await options.create();
    open.push(p);
    roots.push(p);
    return p;
  }
  /** Writes `bytes` where put() wants its input: the provider's tempDir, else a scratch folder. */
  async function source(p: P, bytes: Uint8Array): Promise<string> {
    const path = join(p.tempDir ?? scratch, `conformance-source-${process.pid}-${++counter}`);
    await writeFile(path, bytes);
    return path;
  }
  async function store(p: P, bytes: Uint8Array): Promise<Digest> {
    const digest = digestOfBytes(bytes);
    await p.put(digest, bytes.length, await source(p, bytes), ownerFor(digest));
    return digest;
  }


  describe(`storage conformance: ${options.name}`, () => {
    afterEach(async () => {
      for (const p of open.splice(0).reverse()) await p.close?.();
      for (const p of roots.splice(0)) await options.cleanup?.(p);
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    test('declares its family and a core range that includes this core', async () => {
      const p = await fresh();
      expect(p.info.family).toBe('storage');
      expect(p.info.name).toMatch(/\S/);
      expect(semver.satisfies(CORE_VERSION, p.info.coreRange)).toBe(true);
      expect(typeof p.capabilities.moveFromTemp).toBe('boolean');
      expect(typeof p.capabilities.persistent).toBe('boolean');
    });

    test('returns exactly the bytes stored: empty, small and multi-chunk blobs', async () => {
      const p = await fresh();
      for (const bytes of [Buffer.alloc(0), Buffer.from('hello, pakt'), randomBytes(1024 * 1024 + 17)]) {
        const digest = await store(p, bytes);
        const read = await readBlob(p, digest);
        expect(read.error).toBeUndefined();
        expect(read.bytes!.equals(bytes)).toBe(true);
        expect(await p.stat(digest, ownerFor(digest))).toMatchObject({ digest, size: bytes.length });
      }
    });

    test('an absent blob: stat is undefined and get fails with E_STORE_BLOB_MISSING', async () => {
      const p = await fresh();
      const digest = digestOfBytes('never stored');
      expect(await p.stat(digest, ownerFor(digest))).toBeUndefined();
      expect(codeOf((await readBlob(p, digest)).error)).toBe('E_STORE_BLOB_MISSING');
    });

    test('putting a digest that is already stored is a harmless success', async () => {
      const p = await fresh();
      const bytes = Buffer.from('twice');
      const digest = await store(p, bytes);
      await store(p, bytes);
      expect(await listAll(p)).toEqual([{ digest, size: bytes.length }]);
      expect((await readBlob(p, digest)).bytes!.equals(bytes)).toBe(true);
    });

    test('concurrent puts of the same digest all succeed and store one blob', async () => {
      const p = await fresh();
      const bytes = randomBytes(200_000);
      const digest = digestOfBytes(bytes);
      const sources = await Promise.all(Array.from({ length: 8 }, () => source(p, bytes)));
      await Promise.all(sources.map((s) => p.put(digest, bytes.length, s, ownerFor(digest))));
      expect(await listAll(p)).toEqual([{ digest, size: bytes.length }]);
      expect((await readBlob(p, digest)).bytes!.equals(bytes)).toBe(true);
    });

    test('concurrent puts of different digests all land', async () => {
      const p = await fresh();
      const blobs = Array.from({ length: 20 }, (_, i) => Buffer.from(`blob number ${i}`));
      const digests = await Promise.all(blobs.map((b) => store(p, b)));
      expect(await listAll(p)).toEqual(digests.map((digest, i) => ({ digest, size: blobs[i]!.length })).sort((a, b) => a.digest.localeCompare(b.digest)));
    });

    needs('putBytes', hasPutBytes, 'putBytes stores bytes from memory, the same blob put() would', async () => {
      const p = await fresh();
      for (const bytes of [Buffer.alloc(0), Buffer.from('from memory'), randomBytes(300_000)]) {
        const digest = digestOfBytes(bytes);
        await p.putBytes!(digest, new Uint8Array(bytes), ownerFor(digest));
        expect(await p.stat(digest, ownerFor(digest))).toMatchObject({ digest, size: bytes.length });
        expect((await readBlob(p, digest)).bytes!.equals(bytes)).toBe(true);
      }
    });

    needs('putBytes', hasPutBytes, 'putBytes and put of one digest, again and at once, store one blob', async () => {
      const p = await fresh();
      const bytes = randomBytes(50_000);
      const digest = digestOfBytes(bytes);
      await p.putBytes!(digest, bytes, ownerFor(digest));
      await p.putBytes!(digest, bytes, ownerFor(digest));
      await store(p, bytes);
      const other = randomBytes(40_000);
      const otherDigest = digestOfBytes(other);
      const sources = await Promise.all(Array.from({ length: 3 }, () => source(p, other)));
      await Promise.all([...Array.from({ length: 5 }, () => p.putBytes!(otherDigest, other, ownerFor(otherDigest))), ...sources.map((s) => p.put(otherDigest, other.length, s, ownerFor(otherDigest)))]);
      expect(await listAll(p)).toEqual([{ digest, size: bytes.length }, { digest: otherDigest, size: other.length }].sort((a, b) => a.digest.localeCompare(b.digest)));
      expect((await readBlob(p, otherDigest)).bytes!.equals(other)).toBe(true);
    });

    needs('putBytes', hasPutBytes, 'putBytes under the wrong digest is refused, or else caught by verification on read', async () => {
      const p = await fresh();
      const wrong = digestOfBytes('other bytes');
      const err = await p.putBytes!(wrong, Buffer.from('these bytes'), ownerFor(wrong)).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        expect(codeOf(err), String(err)).toBe('E_STORE_PUT_MISMATCH');
        expect(await p.stat(wrong, ownerFor(wrong))).toBeUndefined();
      } else {
        expect(codeOf((await readBlob(p, wrong)).error)).toBe('E_STORE_INTEGRITY');
      }
      expect(codeOf(await p.putBytes!(wrong, 'not bytes' as never, ownerFor(wrong)).then(() => undefined, (e: unknown) => e))).toBe('E_INVALID_ARGUMENT');
    });

    test('a put whose file has another size than announced is refused and stores nothing', async () => {
      const p = await fresh();
      const bytes = Buffer.from('twelve bytes');
      const digest = digestOfBytes(bytes);
      for (const announced of [bytes.length - 1, bytes.length + 1]) {
        const err = await p.put(digest, announced, await source(p, bytes), ownerFor(digest)).then(() => undefined, (e: unknown) => e);
        expect(codeOf(err), String(err)).toBe('E_STORE_PUT_MISMATCH');
      }
      expect(await p.stat(digest, ownerFor(digest))).toBeUndefined();
      expect(await listAll(p)).toEqual([]);
    });

    test('a put under the wrong digest is refused, or else caught by verification on read', async () => {
      const p = await fresh();
      const bytes = Buffer.from('these bytes');
      const wrong = digestOfBytes('other bytes');
      const err = await p.put(wrong, bytes.length, await source(p, bytes), ownerFor(wrong)).then(() => undefined, (e: unknown) => e);
      if (err !== undefined) {
        expect(codeOf(err), String(err)).toBe('E_STORE_PUT_MISMATCH');
        expect(await p.stat(wrong, ownerFor(wrong))).toBeUndefined();
      } else {
        expect(codeOf((await readBlob(p, wrong)).error)).toBe('E_STORE_INTEGRITY');
      }
    });

    test('delete removes a blob and says whether it existed', async () => {
      const p = await fresh();
      const keep = await store(p, Buffer.from('keep'));
      const gone = await store(p, Buffer.from('gone'));
      expect(await p.delete(gone, ownerFor(gone))).toBe(true);
      expect(await p.delete(gone, ownerFor(gone))).toBe(false);
      expect(await p.stat(gone, ownerFor(gone))).toBeUndefined();
      expect(codeOf((await readBlob(p, gone)).error)).toBe('E_STORE_BLOB_MISSING');
      expect(await listAll(p)).toEqual([{ digest: keep, size: 4 }]);
      // A deleted digest can be stored again.
      await store(p, Buffer.from('gone'));
      expect(await p.stat(gone, ownerFor(gone))).toMatchObject({ digest: gone, size: 4 });
    });

    test('quarantine takes a blob out of stat, list and get; quarantining an absent blob is harmless', async () => {
      const p = await fresh();
      const keep = await store(p, Buffer.from('keep'));
      const bad = await store(p, Buffer.from('suspect'));
      await p.quarantine(bad, 'conformance test', ownerFor(bad));
      expect(await p.stat(bad, ownerFor(bad))).toBeUndefined();
      expect(codeOf((await readBlob(p, bad)).error)).toBe('E_STORE_BLOB_MISSING');
      expect(await listAll(p)).toEqual([{ digest: keep, size: 4 }]);
      const never = digestOfBytes('never stored');
      await p.quarantine(never, 'conformance test', ownerFor(never));
    });

    test('malformed digests are refused with E_INVALID_ARGUMENT', async () => {
      const p = await fresh();
      for (const digest of ['', 'sha256:', 'sha256:ABC', `sha1:${'a'.repeat(40)}`, `sha256:${'g'.repeat(64)}`, `sha256:../../${'a'.repeat(58)}`]) {
        const d = digest as Digest;
        for (const call of [() => p.stat(d, ownerFor(d)), () => p.get(d, ownerFor(d)), () => p.delete(d, ownerFor(d)), () => p.put(d, 1, '/nonexistent', ownerFor(d))] as Array<() => Promise<unknown>>) {
          const err = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
          expect(codeOf(err), `${digest}: ${String(err)}`).toBe('E_INVALID_ARGUMENT');
        }
      }
    });

    test('list reports, for each blob whose owner it reports, the owner the blob was stored for', async () => {
      const p = await fresh();
      const digests = await Promise.all(['one', 'two', 'three'].map((t) => store(p, Buffer.from(t))));
      const listed: BlobInfo[] = [];
      for await (const info of p.list()) listed.push(info);
      expect(listed.map((b) => b.digest).sort()).toEqual([...digests].sort());
      for (const b of listed) if (b.owner !== undefined || p.capabilities.ownerRequired) expect(b.owner).toEqual(ownerFor(b.digest));
    });

    test('list of an empty store yields nothing', async () => {
      const p = await fresh();
      expect(await listAll(p)).toEqual([]);
    });

    test('close() may be called twice', async () => {
      const p = await fresh();
      await p.close?.();
      await p.close?.();
    });

    for (const [label, mutate] of [
      ['a flipped byte', (b: Buffer) => Buffer.concat([Buffer.from([b[0]! ^ 0xff]), b.subarray(1)])],
      ['a truncated blob', (b: Buffer) => b.subarray(0, b.length - 1)],
      ['an extended blob', (b: Buffer) => Buffer.concat([b, Buffer.from('!')])],
      ['an emptied blob', (_: Buffer) => Buffer.alloc(0)],
    ] as const) {
      needs('corrupt hook', options.corrupt !== undefined, `${label} fails the read with E_STORE_INTEGRITY and is quarantined`, async () => {
        const p = await fresh();
        const bytes = randomBytes(150_000);
        const digest = await store(p, bytes);
        const other = await store(p, Buffer.from('a healthy neighbour'));
        await options.corrupt!(p, digest, mutate(bytes));
        const read = await readBlob(p, digest);
        expect(codeOf(read.error), String(read.error)).toBe('E_STORE_INTEGRITY');
        const details = (read.error as RegistryError).details;
        expect(details.expected).toBe(digest);
        expect(typeof details.path).toBe('string');
        expect(await p.stat(digest, ownerFor(digest))).toBeUndefined();
        expect(codeOf((await readBlob(p, digest)).error)).toBe('E_STORE_BLOB_MISSING');
        expect(await listAll(p)).toEqual([{ digest: other, size: 19 }]);
        // The good copy can be stored again after the bad one was moved aside.
        await store(p, bytes);
        expect((await readBlob(p, digest)).bytes!.equals(bytes)).toBe(true);
      });
    }

    needs('persistent', caps.persistent && options.reopen !== undefined, 'blobs survive close() and reopen', async () => {
      const p = await fresh();
      const bytes = randomBytes(4096);
      const digest = await store(p, bytes);
      await p.close?.();
      const q = await options.reopen!(p);
      open.push(q);
      expect(await q.stat(digest, ownerFor(digest))).toMatchObject({ digest, size: bytes.length });
      expect((await readBlob(q, digest)).bytes!.equals(bytes)).toBe(true);
    });

    needs('moveFromTemp', caps.moveFromTemp, 'put() takes the file from tempDir without leaving a copy there', async () => {
      const p = await fresh();
      expect(typeof p.tempDir).toBe('string');
      const bytes = Buffer.from('moved');
      const path = await source(p, bytes);
      await p.put(digestOfBytes(bytes), bytes.length, path, ownerFor(digestOfBytes(bytes)));
      expect(await readdir(p.tempDir!)).not.toContain(path.slice(p.tempDir!.length + 1));
    });
  });
}
