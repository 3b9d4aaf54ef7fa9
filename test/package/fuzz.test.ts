/**
 * Mutation fuzzing: valid archives with flipped bytes, truncations, splices, zeroed and
 * duplicated ranges. Validation must always return a report whose every error is catalogued
 * (or, never here, reject with a coded error); it must never throw uncoded or hang. Bounded
 * and seeded: a failure names its case, and the same seed reproduces it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALID_DIR } from '../../fixtures/build.js';
import { isErrorCode, RegistryError } from '../../src/errors.js';
import { validateArchive } from '../../src/package/validate-archive.js';
import { BufferReader } from './helpers/readers.js';
import { craftPackage } from '../../fixtures/cases.js';
import { prng } from '../helpers/prng.js';

const SEED = 0x5eed_2026;
const CASES = 600;
const BASES = ['scoped.zip', 'streamed.zip', 'zip64.zip', 'crafted-variants.zip', 'unicode-names.zip'].map((f) => readFileSync(path.join(VALID_DIR, f)));


type Mutation = { kind: string; bytes: Buffer };

function mutate(random: () => number): Mutation {
  const int = (n: number) => Math.floor(random() * n);
  const base = BASES[int(BASES.length)]!;
  const bytes = Buffer.from(base);
  // Bias towards the structured tail (central directory and end records), where parsers break.
  const position = () => (random() < 0.5 ? bytes.length - 1 - int(Math.min(bytes.length, 200)) : int(bytes.length));
  switch (int(6)) {
    case 0: {
      const n = 1 + int(8);
      for (let i = 0; i < n; i++) {
        const at = position();
        bytes[at] = bytes[at]! ^ (1 << int(8));
      }
      return { kind: `flip ${n}`, bytes };
    }
    case 1: {
      const at = int(bytes.length);
      bytes[at] = [0x00, 0xff, 0x7f, 0x80][int(4)]!;
      return { kind: `set byte ${at}`, bytes };
    }
    case 2:
      return { kind: 'truncate', bytes: bytes.subarray(0, int(bytes.length)) };
    case 3: {
      const other = BASES[int(BASES.length)]!;
      const from = int(other.length);
      const len = 1 + int(Math.min(64, other.length - from));
      const at = position();
      return { kind: 'splice', bytes: Buffer.concat([bytes.subarray(0, at), other.subarray(from, from + len), bytes.subarray(at + len)]) };
    }
    case 4: {
      const at = position();
      bytes.fill(0, at, Math.min(bytes.length, at + 1 + int(16)));
      return { kind: 'zero range', bytes };
    }
    default: {
      const at = int(bytes.length);
      const len = 1 + int(32);
      return { kind: 'duplicate range', bytes: Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]) };
    }
  }
}

describe('fuzzing the validator with mutated archives', () => {
  it(`${CASES} seeded mutations all end in a report of catalogued codes`, async () => {
    const random = prng(SEED);
    const codes = new Map<string, number>();
    let valid = 0;
    for (let i = 0; i < CASES; i++) {
      const { kind, bytes } = mutate(random);
      const label = `case ${i} (${kind}, ${bytes.length} bytes, seed ${SEED})`;
      let report;
      try {
        report = await validateArchive(new BufferReader(bytes), bytes.length);
      } catch (err) {
        expect.fail(`${label}: threw ${err instanceof RegistryError ? err.code : 'an uncoded error'}: ${String(err)}`);
      }
      expect(typeof report.valid, label).toBe('boolean');
      expect(report.valid, label).toBe(report.errors.length === 0);
      for (const e of report.errors) {
        expect(isErrorCode(e.code), `${label}: ${e.code}`).toBe(true);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      if (report.valid) valid++;
    }
    // The mutations must actually reach the checks: most cases are refused, for many reasons.
    expect(valid).toBeLessThan(CASES / 2);
    expect(codes.size).toBeGreaterThan(8);
  });
});

describe('fuzzing entries large enough for the chunked path', () => {
  it('120 seeded mutations of an archive with large deflated, text and stored entries', async () => {
    const random = prng(SEED + 1);
    const fill = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const base = craftPackage({ files: [{ name: 'a.bin', data: fill(400 * 1024) }, { name: 't.txt', data: Buffer.from('pakt text '.repeat(60_000)) }, { name: 'b.bin', data: fill(300 * 1024), method: 0 }] });
    for (let i = 0; i < 120; i++) {
      const bytes = Buffer.from(base);
      const flips = 1 + Math.floor(random() * 6);
      for (let j = 0; j < flips; j++) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
      }
      const report = await validateArchive(new BufferReader(bytes), bytes.length);
      for (const e of report.errors) expect(isErrorCode(e.code), `case ${i}: ${e.code}`).toBe(true);
    }
  });
});
