import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFileInWorker } from '../../src/core/hash-worker.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-hash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hashFileInWorker', () => {
  it('gives the sha256 and size of the file, across many read chunks', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 5);
    const file = path.join(dir, 'f');
    writeFileSync(file, bytes);
    const r = await hashFileInWorker(file).result;
    expect(r).toEqual({ digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length });
  });

  it('a missing file fails with E_IO; stop() before the end makes the result fail', async () => {
    await expect(hashFileInWorker(path.join(dir, 'absent')).result).rejects.toMatchObject({ code: 'E_IO' });
    const file = path.join(dir, 'g');
    writeFileSync(file, randomBytes(1024));
    const h = hashFileInWorker(file);
    h.stop();
    await expect(h.result).rejects.toMatchObject({ code: 'E_IO' });
  });
});
