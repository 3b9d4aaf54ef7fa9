import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader, IoTaggingReader, readRange } from '../../src/package/file-reader.js';
import { RegistryError } from '../../src/errors.js';
import { FailingReader } from './helpers/readers.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-reader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const file = path.join(work, 'data.bin');
const data = Buffer.from(Array.from({ length: 600_000 }, (_, i) => i % 251));
writeFileSync(file, data);

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('FileReader', () => {
  it('streams exact ranges and reads exact bytes, without closing the shared descriptor', async () => {
    const fd = openSync(file, 'r');
    try {
      const reader = new FileReader(fd);
      expect((await drain(reader.createReadStream({ start: 10, end: 400_000 }))).equals(data.subarray(10, 400_000))).toBe(true);
      const s = reader.createReadStream({ start: 0, end: 500_000 });
      (s as unknown as { destroy(): void }).destroy();
      expect((await readRange(reader, 599_990, 10)).equals(data.subarray(599_990))).toBe(true);
      await expect(readRange(reader, 599_995, 10)).rejects.toThrow(/end of file|not enough/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('IoTaggingReader', () => {
  it('serves small reads from read-ahead and refuses reads past the archive as plain errors', async () => {
    const fd = openSync(file, 'r');
    try {
      const reader = new IoTaggingReader(new FileReader(fd), data.length);
      for (const at of [0, 46, 1000, 300_000, 599_000]) expect((await readRange(reader, at, 100)).equals(data.subarray(at, at + 100))).toBe(true);
      const past = await readRange(reader, data.length - 5, 10).catch((e: unknown) => e);
      expect(past).toBeInstanceOf(Error);
      expect(past).not.toBeInstanceOf(RegistryError);
    } finally {
      closeSync(fd);
    }
  });

  it('turns every failure of the underlying reader into E_IO', async () => {
    const fd = openSync(file, 'r');
    try {
      for (const mode of ['throw', 'error-at-once', 'error-after-data'] as const) {
        const reader = new IoTaggingReader(new FailingReader(new FileReader(fd), 1, mode), data.length);
        const err = await drain(reader.createReadStream({ start: 0, end: 1000 })).catch((e: unknown) => e);
        expect(err, mode).toBeInstanceOf(RegistryError);
        expect((err as RegistryError).code).toBe('E_IO');
      }
    } finally {
      closeSync(fd);
    }
  });
});
