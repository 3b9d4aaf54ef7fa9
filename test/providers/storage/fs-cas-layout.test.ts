import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobPath, contentRoot, digestFromSegments } from '../../../providers/storage/fs-cas-layout.js';
import { digestOfBytes } from '../../../src/util/digest.js';

describe('fs-cas layout', () => {
  it('matches the example at the top of fs-cas-layout.ts', () => {
    const digest = digestOfBytes('hello');
    expect(digest).toBe('sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(blobPath('.pakt', digest)).toBe(join('.pakt', 'content-v1', 'sha256', '2c', 'f2', '4dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'));
    expect(contentRoot('/s')).toBe(join('/s', 'content-v1', 'sha256'));
  });

  it('turns path segments back into the digest, and foreign names into nothing', () => {
    const digest = digestOfBytes('round trip');
    const hex = digest.slice(7);
    expect(digestFromSegments(hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))).toBe(digest);
    expect(digestFromSegments(hex.slice(0, 2), hex.slice(2, 4), 'README')).toBeUndefined();
    expect(digestFromSegments(hex.slice(0, 3), hex.slice(3, 4), hex.slice(4))).toBeUndefined();
    expect(digestFromSegments('AB', hex.slice(2, 4), hex.slice(4))).toBeUndefined();
  });
});
