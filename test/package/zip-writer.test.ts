import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateArchiveFile } from '../../src/package/validate-archive.js';
import { FIXED_MTIME, writeDeterministicZip } from '../../src/package/zip-writer.js';
import { expectCode } from '../helpers/expect-code.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-zipwriter-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('writeDeterministicZip', () => {
  it('writes the same bytes whatever the order of the inputs, and leaves no temp file', async () => {
    const a = await writeDeterministicZip([{ path: 'b.txt', buffer: Buffer.from('b') }, { path: 'a.txt', buffer: Buffer.from('a') }], path.join(work, 'a.zip'));
    const b = await writeDeterministicZip([{ path: 'a.txt', buffer: Buffer.from('a') }, { path: 'b.txt', buffer: Buffer.from('b') }], path.join(work, 'b.zip'));
    expect(a.digest).toBe(b.digest);
    expect(readFileSync(path.join(work, 'a.zip')).equals(readFileSync(path.join(work, 'b.zip')))).toBe(true);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stores the fixed DOS timestamp in every time zone', async () => {
    await writeDeterministicZip([{ path: 'x', buffer: Buffer.from('x') }], path.join(work, 't.zip'));
    const zip = readFileSync(path.join(work, 't.zip'));
    const m = FIXED_MTIME();
    const time = (m.getHours() << 11) | (m.getMinutes() << 5) | (m.getSeconds() >> 1);
    const date = ((m.getFullYear() - 1980) << 9) | ((m.getMonth() + 1) << 5) | m.getDate();
    expect(zip.readUInt16LE(10)).toBe(time);
    expect(zip.readUInt16LE(12)).toBe(date);
    expect(zip.readUInt16LE(12)).toBe(0x0b5a);
  });

  it('writes ZIP64 and streamed variants that validate structurally', async () => {
    const entries = [{ path: 'metadata.json', buffer: Buffer.from('{}') }];
    await writeDeterministicZip(entries, path.join(work, 'z.zip'), { forceZip64: true, streamed: true });
    const report = await validateArchiveFile(path.join(work, 'z.zip'));
    expect(report.errors.map((e) => e.code)).not.toContain('E_PKG_ZIP_CORRUPT');
  });

  it('refuses the same path twice', async () => {
    await expectCode(() => writeDeterministicZip([{ path: 'a', buffer: Buffer.from('1') }, { path: 'a', buffer: Buffer.from('2') }], path.join(work, 'd.zip')), 'E_PKG_PATH_DUPLICATE');
  });
});
