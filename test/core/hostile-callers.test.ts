/**
 * Hostile callers of the library: a publish given what is not a stream of bytes, or a stream that
 * never ends, rejects with a code and leaves nothing behind; nothing is ever thrown out of the
 * caller's reach (an uncaught error would take the host process down).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../providers/index.js';
import { expectCode } from '../helpers/expect-code.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
let uncaught: unknown[];
const onUncaught = (err: unknown) => uncaught.push(err);
beforeEach(() => {
  t = tempStore();
  uncaught = [];
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
  rmSync(t.dir, { recursive: true, force: true });
});

const settle = () => new Promise((r) => setTimeout(r, 100));
const tmpFiles = () => readdirSync(path.join(t.store, 'tmp'));

describe('publishPackage given what is not a stream of bytes', () => {
  const cases: Record<string, () => unknown> = {
    'an object-mode stream of numbers': () => Readable.from([1, 2, 3]),
    'an object-mode stream of strings': () => Readable.from(['PK', 'junk']),
    'a stream decoding to text': () => {
      const s = new PassThrough();
      s.setEncoding('utf8');
      s.end(Buffer.from('PK'));
      return s;
    },
    'a byte-mode stream whose source breaks its mode': () => {
      // Readable.from with objectMode off still yields what the iterable gives, chunk by chunk.
      const s = Readable.from((function* () { yield Buffer.from('PK'); yield 7 as unknown as Buffer; })(), { objectMode: false });
      return s;
    },
    'a number': () => 42,
    'null': () => null,
    'a plain object': () => ({ path: 'x.zip' }),
  };
  for (const [what, make] of Object.entries(cases)) {
    it(`rejects ${what} with E_INVALID_ARGUMENT, throws nothing uncaught and leaves no temp file`, async () => {
      const registry = await openRegistry({ path: t.store, fsync: false });
      try {
        await expectCode(() => registry.publishPackage(make() as never), 'E_INVALID_ARGUMENT');
        await settle();
        expect(uncaught).toEqual([]);
        expect(tmpFiles()).toEqual([]);
        expect((await registry.verify()).ok).toBe(true);
      } finally {
        await registry.close();
      }
    });
  }
});

describe('a stream that never ends', () => {
  it('is given up after the idle timeout with E_INPUT_IDLE_TIMEOUT, leaving no temp file', async () => {
    const registry = await openRegistry({ path: t.store, fsync: false, limits: { streamIdleTimeoutMs: 200 } });
    try {
      const stalled = new PassThrough();
      stalled.write(readFileSync((await t.pkg('stall', '1.0.0')).file).subarray(0, 10));
      await expectCode(() => registry.publishPackage(stalled), 'E_INPUT_IDLE_TIMEOUT');
      expect(tmpFiles()).toEqual([]);
      expect(uncaught).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('keeps a slow stream that goes on sending', async () => {
    const registry = await openRegistry({ path: t.store, fsync: false, limits: { streamIdleTimeoutMs: 300 } });
    try {
      const bytes = readFileSync((await t.pkg('slow', '1.0.0')).file);
      const slow = new PassThrough();
      const published = registry.publishPackage(slow);
      for (let i = 0; i < bytes.length; i += 100) {
        slow.write(bytes.subarray(i, i + 100));
        await new Promise((r) => setTimeout(r, 20));
      }
      slow.end();
      expect((await published).status).toBe('published');
    } finally {
      await registry.close();
    }
  });

  it('ends cleanly when the registry is closed: E_CLOSED, no temp file, and close() returns', async () => {
    const registry = await openRegistry({ path: t.store, fsync: false });
    const stalled = new PassThrough();
    stalled.write(Buffer.from('PK\x03\x04'));
    const published = registry.publishPackage(stalled);
    await settle();
    await registry.close();
    await expectCode(() => published, 'E_CLOSED');
    expect(tmpFiles()).toEqual([]);
    expect(uncaught).toEqual([]);
  });
});
