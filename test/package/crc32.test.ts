import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from '../../src/package/crc32.js';

describe('crc32', () => {
  it('matches the standard check value and is incremental', () => {
    const data = Buffer.from('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32Portable(data)).toBe(0xcbf43926);
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32Portable(data.subarray(4), crc32Portable(data.subarray(0, 4)))).toBe(0xcbf43926);
  });

  it('the portable fallback agrees with the native one on random data', () => {
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    expect(crc32Portable(data)).toBe(crc32(data));
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});
