/**
 * A platform whose copyFile makes a new file at the destination instead of writing into the one
 * there (macOS's copyfile(3) may): the intake must hash the file that ends up at the path, not
 * the empty one it made and was following. Simulated by a copyFile that removes the destination
 * and writes a fresh file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    async copyFile(from: string, to: string) {
      await real.rm(to, { force: true });
      await real.writeFile(to, await real.readFile(from), { flag: 'wx' });
    },
  };
});

const { copyAndHash } = await import('../../src/core/large-file-intake.js');
const { TempArea } = await import('../../src/core/temp-area.js');
const { RegistryError } = await import('../../src/errors.js');
type CoreContext = import('../../src/core/context.js').CoreContext;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-large-intake-new-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('copyAndHash when the copy replaces the temp file', () => {
  it('hashes and measures the file at the temp path', async () => {
    const source = path.join(dir, 'source.bin');
    const bytes = randomBytes(2 * 1024 * 1024 + 9);
    writeFileSync(source, bytes);
    const ctx = { temp: new TempArea(path.join(dir, 'tmp')), storage: { capabilities: { moveFromTemp: true, persistent: true } } } as unknown as CoreContext;
    const taken = await copyAndHash(ctx, source, 64 * 1024 * 1024, (found) => new RegistryError('E_STORE_INPUT_TOO_LARGE', `${found}`));
    expect(await taken.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(taken.size).toBe(bytes.length);
    expect(readFileSync(taken.tempPath).equals(bytes)).toBe(true);
    taken.stop();
    rmSync(taken.tempPath);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});
