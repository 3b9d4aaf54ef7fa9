import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPackage, defaultArchiveName, packDirectory } from '../../src/package/pack.js';
import { validateArchiveFile } from '../../src/package/validate-archive.js';
import { expectCode } from '../helpers/expect-code.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'pakt-pack-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  const dir = path.join(work, 'src');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('packDirectory', () => {
  it('writes manifest.json into the folder and an archive that validates', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: '@acme/tool', version: '1.2.3' }), 'lib/index.js': 'export {}\n', 'README.md': '# tool\n' });
    const result = await packDirectory(dir, { cwd: work });
    expect(result.file).toBe(path.join(work, 'acme-tool-1.2.3.zip'));
    expect(result).toMatchObject({ name: '@acme/tool', version: '1.2.3' });
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files)).toEqual(['README.md', 'lib/index.js']);
    const report = await validateArchiveFile(result.file);
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.fileCount).toBe(2);
  });

  it('is deterministic: the same folder packed twice gives the same digest', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'same', version: '0.0.1' }), 'a/b/c.txt': 'c', 'z.bin': 'z'.repeat(5000) });
    const a = await packDirectory(dir, { cwd: work, outFile: 'a.zip' });
    const b = await packDirectory(dir, { cwd: work, outFile: 'b.zip' });
    expect(a.digest).toBe(b.digest);
    expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
  });

  it('does not pack its own earlier output or a stale manifest', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'self', version: '1.0.0' }), 'x.txt': 'x', 'manifest.json': '{"stale":true}' });
    const first = await packDirectory(dir, { cwd: dir });
    const second = await packDirectory(dir, { cwd: dir });
    expect(second.digest).toBe(first.digest);
  });

  it('refuses a symbolic link', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'links', version: '1.0.0' }), 'real.txt': 'r' });
    symlinkSync('real.txt', path.join(dir, 'link.txt'));
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_SYMLINK');
  });

  it('refuses a folder without metadata.json, and a missing folder', async () => {
    const dir = folder({ 'x.txt': 'x' });
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_METADATA_MISSING');
    await expectCode(() => packDirectory(path.join(work, 'nope'), { cwd: work }), 'E_INPUT_NOT_FOUND');
  });

  it('refuses metadata that would fail validation, naming the problem', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'Bad Name', version: '1.0.0' }) });
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_NAME_INVALID');
    writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify({ name: 'ok', version: 'v1.0' }));
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_VERSION_INVALID');
    writeFileSync(path.join(dir, 'metadata.json'), '{"name":"ok","name":"ok2","version":"1.0.0"}');
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_JSON_DUPLICATE_KEY');
    expect(existsSync(path.join(work, 'ok-1.0.0.zip'))).toBe(false);
  });

  it('refuses file names that break the path rules', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'names', version: '1.0.0' }), 'cafe\u0301.txt': 'decomposed' });
    await expectCode(() => packDirectory(dir, { cwd: work }), 'E_PKG_PATH_NOT_NFC');
  });

  it('refuses a folder over the entry limit', async () => {
    const dir = folder({ 'metadata.json': JSON.stringify({ name: 'many', version: '1.0.0' }), 'a': '1', 'b': '2', 'c': '3' });
    await expectCode(() => packDirectory(dir, { cwd: work, limits: { maxEntries: 4 } }), 'E_PKG_TOO_MANY_ENTRIES');
  });
});

describe('buildPackage', () => {
  it('builds the same format from memory', async () => {
    const out = path.join(work, 'mem.zip');
    const result = await buildPackage({ metadata: { name: 'mem', version: '2.0.0', dependencies: { other: '>=1.0.0,<2.0.0' } }, files: { 'a.txt': 'a', 'dir/ü.bin': new Uint8Array([1, 2, 3]) } }, out);
    expect(result).toMatchObject({ file: out, name: 'mem', version: '2.0.0' });
    const report = await validateArchiveFile(out);
    expect(report.errors).toEqual([]);
    expect(report.manifest?.files['dir/ü.bin']?.size).toBe(3);
  });

  it('refuses metadata.json or manifest.json among the files', async () => {
    await expectCode(() => buildPackage({ metadata: { name: 'm', version: '1.0.0' }, files: { 'manifest.json': '{}' } }, path.join(work, 'x.zip')), 'E_INVALID_ARGUMENT');
  });

  it('names archives like npm pack', () => {
    expect(defaultArchiveName('@acme/tool', '1.0.0')).toBe('acme-tool-1.0.0.zip');
    expect(defaultArchiveName('plain', '0.1.0-rc.1')).toBe('plain-0.1.0-rc.1.zip');
  });
});
