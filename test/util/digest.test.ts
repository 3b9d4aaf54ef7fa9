import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertDigest, createDigestHash, digestFromHash, digestHex, digestOfBytes, isDigest } from '../../src/util/digest.js';
import { expectCode } from '../helpers/expect-code.js';

const HEX = createHash('sha256').update('abc').digest('hex');

describe('digest', () => {
  it('accepts only sha256:<64 lowercase hex>, and never throws on junk', () => {
    expect(isDigest(`sha256:${HEX}`)).toBe(true);
    for (const junk of [undefined, null, 42, {}, '', 'sha256:', `sha256:${HEX.toUpperCase()}`, `sha256:${HEX}0`, `sha512:${HEX}`, `SHA256:${HEX}`, ` sha256:${HEX}`, `sha256:${HEX.slice(1)}g`]) {
      expect(isDigest(junk), String(junk)).toBe(false);
    }
  });

  it('assertDigest names the bad value and the expected form', async () => {
    const err = await expectCode(() => assertDigest('sha256:nope', 'archive digest'), 'E_INVALID_ARGUMENT');
    expect(err.message).toBe(`archive digest 'sha256:nope' is not of the form sha256:<64 lowercase hex>`);
    expect(() => assertDigest(`sha256:${HEX}`)).not.toThrow();
  });

  it('computes the same digest in one piece and incrementally', () => {
    expect(digestOfBytes('abc')).toBe(`sha256:${HEX}`);
    const hash = createDigestHash();
    hash.update('a');
    hash.update(Buffer.from('bc'));
    expect(digestFromHash(hash)).toBe(`sha256:${HEX}`);
    expect(digestHex(`sha256:${HEX}`)).toBe(HEX);
  });
});
