import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { digestOfBytes } from '../../src/util/digest.js';
import { createHashingStream } from '../../src/util/hashing-stream.js';
import { expectCode } from '../helpers/expect-code.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('hashing stream', () => {
  it('counts and hashes what passes through', async () => {
    const h = createHashingStream();
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), h, sink());
    expect(h.bytes).toBe(11);
    expect(h.digest()).toBe(digestOfBytes('hello world'));
  });

  it('refuses to give a digest before the end', async () => {
    await expectCode(() => createHashingStream().digest(), 'E_INTERNAL');
  });

  it('stops at maxBytes with E_STORE_INPUT_TOO_LARGE, or the caller\'s own error', async () => {
    const h = createHashingStream({ maxBytes: 10 });
    const err = await expectCode(() => pipeline(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), h, sink()), 'E_STORE_INPUT_TOO_LARGE');
    expect(err.details).toMatchObject({ limit: { name: 'maxBytes', value: 10 }, found: 12 });
    const own = createHashingStream({ maxBytes: 3, limitError: (max, seen) => new RegistryError('E_INVALID_ARGUMENT', `${seen} > ${max}`) });
    const err2 = await expectCode(() => pipeline(Readable.from([Buffer.alloc(4)]), own, sink()), 'E_INVALID_ARGUMENT');
    expect(err2.message).toBe('4 > 3');
    // Exactly at the limit is allowed.
    const exact = createHashingStream({ maxBytes: 4 });
    await pipeline(Readable.from([Buffer.alloc(4)]), exact, sink());
    expect(exact.bytes).toBe(4);
  });

  it('refuses a bad limit', async () => {
    await expectCode(() => createHashingStream({ maxBytes: -1 }), 'E_INVALID_ARGUMENT');
  });
});
