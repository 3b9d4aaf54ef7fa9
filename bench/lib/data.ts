/**
 * Deterministic benchmark content, the same every run: incompressible noise, text that
 * compresses like source code, and long runs with a little noise.
 */

/** xorshift32 filled bytes: incompressible to deflate, cheap to make, the same every run. */
export function noise(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n + 4);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out.subarray(0, n);
}

/** Words with numbers and a line break now and then: compresses about 3-4:1, like source code. */
export function textBytes(n: number, seed: number): Buffer {
  const words = ['const', 'function', 'return', 'package', 'registry', 'version', 'import', 'export', 'value', 'result', 'error', 'stream', 'archive', 'digest'];
  const parts: string[] = [];
  let size = 0;
  let x = seed >>> 0 || 1;
  while (size < n) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const w = `${words[(x >>> 0) % words.length]}${(x >>> 8) % 1000}${(x & 31) === 0 ? '\n' : ' '}`;
    parts.push(w);
    size += w.length;
  }
  return Buffer.from(parts.join('').slice(0, n));
}

/** Long runs with a little noise: compresses ~50:1, well inside the 1000:1 ratio limit. */
export function sparse(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n, 0x20);
  const bits = noise(Math.ceil(n / 64), seed);
  for (let i = 0; i < bits.length; i++) out[i * 64] = bits[i]!;
  return out;
}

