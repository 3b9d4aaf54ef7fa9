/**
 * CRC-32 (the ZIP polynomial), incremental. Node ≥ 20.15 has a native zlib.crc32; older Node 20
 * releases get a table-driven fallback with the same results.
 */
import zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, previous?: number) => number;

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, previous = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 of `data`, continuing from `previous` (the CRC of the bytes before it). */
export const crc32: Crc32 = native ? (data, previous = 0) => native(data, previous) >>> 0 : tableCrc32;

/** The fallback, exported so a test can check it against the native one. */
export const crc32Portable: Crc32 = tableCrc32;
