/**
 * The large-file intake (src/core/large-file-intake.ts) and the worker that follows a writer
 * (src/core/hash-worker.ts): the digest is always of the bytes in the temp file, which are the
 * ones validated and stored, whatever the source does meanwhile; failures leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/context.js';
import { hashFollowingWriter } from '../../src/core/hash-worker.js';
import { PARALLEL_HASH_BYTES } from '../../src/core/intake.js';
import { copyAndHash } from '../../src/core/large-file-intake.js';
import { RegistryError } from '../../src/errors.js';
import { buildPackage } from '../../src/package/pack.js';
import { openRegistry } from '../../providers/index.js';
import { expectCode } from '../helpers/expect-code.js';
import { intakeContext } from '../helpers/intake-context.js';
import { digestOfBytes as sha } from '../../src/util/digest.js';

const MiB = 1024 * 1024;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-large-intake-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const context = (moveFromTemp = true): CoreContext => intakeContext(dir, moveFromTemp);

const tooLarge = (found: number): RegistryError => new RegistryError('E_STORE_INPUT_TOO_LARGE', `grew to ${found} bytes`);

describe('hashFollowingWriter', () => {
  it('hashes what a writer appends while it runs, up to the last bytes written before it says it has finished', async () => {
    const file = path.join(dir, 'growing');
    const writer = openSync(file, 'wx+');
    const hashing = hashFollowingWriter(openSync(file, 'r'), file);
    const parts: Buffer[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        // Uneven sizes, some larger than the worker's read buffer, with pauses it must wait through.
        const part = randomBytes(i % 3 === 0 ? 1536 * 1024 + i : 4096 * i + 1);
        writeSync(writer, part);
        parts.push(part);
        if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
      }
      const last = randomBytes(777);
      writeSync(writer, last);
      parts.push(last);
    } finally {
      closeSync(writer);
    }
    hashing.writerFinished();
    const all = Buffer.concat(parts);
    expect(await hashing.result).toEqual({ digest: sha(all), size: all.length });
  });

  it('stopped while it waits for the writer, it fails with E_IO', async () => {
    const file = path.join(dir, 'never-finished');
    writeFileSync(file, randomBytes(1000));
    const hashing = hashFollowingWriter(openSync(file, 'r'), file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    hashing.stop();
    await expectCode(() => hashing.result, 'E_IO');
  });
});

describe('copyAndHash', () => {
  it('the digest and size are of the temp copy, which holds the source as it was; later changes to the source do not reach it', async () => {
    const source = path.join(dir, 'source.bin');
    const original = randomBytes(3 * MiB + 123);
    writeFileSync(source, original);
    for (const moveFromTemp of [true, false]) {
      const taken = await copyAndHash(context(moveFromTemp), source, 64 * MiB, tooLarge);
      writeFileSync(source, randomBytes(original.length));
      expect(await taken.digest).toBe(sha(original));
      expect(taken.size).toBe(original.length);
      expect(readFileSync(taken.tempPath).equals(original)).toBe(true);
      taken.stop();
      rmSync(taken.tempPath);
      writeFileSync(source, original);
    }
  });

  it('while the source is rewritten during the copy, the digest is still exactly that of the bytes in the temp file', async () => {
    const source = path.join(dir, 'moving.bin');
    const size = 24 * MiB;
    writeFileSync(source, randomBytes(size));
    // Overwrite spots of the source from this thread while the kernel copies it on the thread pool.
    const fd = openSync(source, 'r+');
    let writes = 0;
    let running = true;
    const scribble = (async () => {
      while (running) {
        writeSync(fd, randomBytes(4096), 0, 4096, Math.floor(Math.random() * (size - 4096)));
        writes++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        const taken = await copyAndHash(context(), source, 64 * MiB, tooLarge);
        const digest = await taken.digest;
        expect(digest).toBe(sha(readFileSync(taken.tempPath)));
        expect(taken.size).toBe(size);
        rmSync(taken.tempPath);
      }
    } finally {
      running = false;
      await scribble;
      closeSync(fd);
    }
    expect(writes).toBeGreaterThan(0);
  });

  it('a source that cannot be copied gives E_IO, and one over the limit its tooLarge error; neither leaves a temp file', async () => {
    await expectCode(() => copyAndHash(context(), path.join(dir, 'absent.zip'), 64 * MiB, tooLarge), 'E_IO');
    const source = path.join(dir, 'big.bin');
    writeFileSync(source, randomBytes(2 * MiB));
    await expectCode(() => copyAndHash(context(), source, MiB, tooLarge), 'E_STORE_INPUT_TOO_LARGE');
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('publishing a large archive whose file changes during the publish', () => {
  it('stores either nothing (a coded refusal) or exactly bytes that validate and hash to the recorded digest', async () => {
    const file = path.join(dir, 'big.zip');
    const packed = await buildPackage({ metadata: { name: 'moving-target', version: '1.0.0', description: 'changes while published' }, files: { 'data.bin': randomBytes(PARALLEL_HASH_BYTES + 4096) } }, file);
    const store = path.join(dir, 'store');
    const registry = await openRegistry({ path: store, fsync: false, actor: 'tester', audit: false });
    const fd = openSync(file, 'r+');
    let running = true;
    const scribble = (async () => {
      // Damage the entry data (never the first bytes, so some rounds may still pass unharmed).
      while (running) {
        writeSync(fd, randomBytes(512), 0, 512, 4096 + Math.floor(Math.random() * (packed.size - 8192)));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    let outcome: unknown;
    try {
      outcome = await registry.publishPackage(file).catch((err: unknown) => err);
    } finally {
      running = false;
      await scribble;
      closeSync(fd);
    }
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(RegistryError);
      expect((await registry.gc({ dryRun: true })).removed).toBe(0);
      await expectCode(() => registry.getPackageInfo('moving-target'), 'E_PACKAGE_NOT_FOUND');
    } else {
      const { digest } = outcome as { digest: string };
      const chunks: Buffer[] = [];
      for await (const c of await registry.downloadPackage('moving-target', '1.0.0')) chunks.push(c as Buffer);
      const stored = Buffer.concat(chunks);
      expect(sha(stored)).toBe(digest);
      const copy = path.join(dir, 'stored.zip');
      writeFileSync(copy, stored);
      expect((await registry.validatePackage(copy)).valid).toBe(true);
    }
    expect(readdirSync(path.join(store, 'tmp'))).toEqual([]);
    await registry.close();
  });
});
