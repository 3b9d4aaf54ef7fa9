/**
 * A reader that fails on its N-th read, for every N (yauzl's test/errors.js idea): whatever read
 * fails, validation rejects with a coded E_IO error (never a crash, never an uncoded error, and
 * never a report that blames the archive for the disk's fault); past the last read it succeeds.
 */
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, fstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { craftPackage } from '../../fixtures/cases.js';
import { VALID_DIR } from '../../fixtures/build.js';
import { RegistryError } from '../../src/errors.js';
import { FileReader } from '../../src/package/file-reader.js';
import { validateArchive } from '../../src/package/validate-archive.js';
import { FailingReader, type FaultMode } from './helpers/readers.js';

// Large entries take the chunked read path; small ones the windowed one.
const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-faults-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const LARGE = path.join(work, 'large-entries.zip');
writeFileSync(LARGE, craftPackage({ files: [{ name: 'a.bin', data: randomBytes(700 * 1024) }, { name: 'b.bin', data: randomBytes(600 * 1024), method: 0 }, { name: 'c.txt', data: 'small' }] }));

const FIXTURES = ['streamed.zip', 'zip64.zip', 'unicode-names.zip', 'crafted-variants.zip', LARGE];
const MODES: FaultMode[] = ['throw', 'error-at-once', 'error-after-data'];

async function withFile<T>(file: string, fn: (reader: FileReader, size: number) => Promise<T>): Promise<T> {
  const fd = openSync(file, 'r');
  try {
    return await fn(new FileReader(fd), fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

describe('validation under injected read faults', () => {
  for (const fixture of FIXTURES) {
    it(`${path.basename(fixture)}: every failing read gives E_IO, and no fault gives a valid report`, async () => {
      const file = path.isAbsolute(fixture) ? fixture : path.join(VALID_DIR, fixture);
      const total = await withFile(file, async (reader, size) => {
        const counting = new FailingReader(reader, 0, 'throw');
        const report = await validateArchive(counting, size);
        expect(report.errors).toEqual([]);
        return counting.reads;
      });
      expect(total).toBeGreaterThan(3);
      for (const mode of MODES) {
        for (let n = 1; n <= total + 1; n++) {
          await withFile(file, async (reader, size) => {
            let outcome: unknown;
            try {
              outcome = await validateArchive(new FailingReader(reader, n, mode), size);
            } catch (err) {
              outcome = err;
            }
            const where = `${fixture}, ${mode}, read ${n} of ${total}`;
            if (n > total) {
              expect(outcome, where).not.toBeInstanceOf(Error);
              expect((outcome as { valid: boolean }).valid, where).toBe(true);
            } else {
              expect(outcome, where).toBeInstanceOf(RegistryError);
              expect((outcome as RegistryError).code, `${where}: ${(outcome as Error).message}`).toBe('E_IO');
            }
          });
        }
      }
    });
  }
});
