/**
 * `pakt pack` and `pakt validate`, in process through runCli, and once each as a real child
 * process of the built CLI (dist/, built here with the project's own tsc).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_DIR, VALID_DIR } from '../../fixtures/build.js';
import { cliRunner } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-cli-pv-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = cliRunner({ cwd: () => work });
const pakt = (...args: string[]) => run(args);

function sourceFolder(name: string): string {
  const dir = path.join(work, `${name}-${Math.random().toString(36).slice(2)}`);
  cpSync(path.join(VALID_DIR, name), dir, { recursive: true });
  return dir;
}

describe('pakt pack', () => {
  it('--json prints {file,name,version,digest,size} and writes the default file name in the cwd', async () => {
    const dir = sourceFolder('scoped');
    const r = await pakt('pack', dir, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json).sort()).toEqual(['digest', 'file', 'name', 'size', 'version']);
    expect(json).toMatchObject({ file: path.join(work, 'acme-scoped-tool-1.0.0.zip'), name: '@acme/scoped-tool', version: '1.0.0' });
    expect(json.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(existsSync(json.file)).toBe(true);
  });

  it('-o names the output; its result passes validate', async () => {
    const dir = sourceFolder('unicode-names');
    const packed = await pakt('pack', dir, '-o', 'out/u.zip', '--json');
    expect(packed.code, packed.stderr).toBe(1);
    mkdirSync(path.join(work, 'out'), { recursive: true });
    const again = await pakt('pack', dir, '-o', 'out/u.zip', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).file).toBe(path.join(work, 'out', 'u.zip'));
    const v = await pakt('validate', 'out/u.zip', '--json');
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toEqual({ valid: true, name: 'unicode-names', version: '0.3.0', errors: [] });
  });

  it('text output names the package and the digest', async () => {
    const r = await pakt('pack', sourceFolder('nested-folders'), '-o', 'n.zip');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nested-folders@2\.1\.0 .*n\.zip .*sha256:/);
  });

  it('a folder without metadata.json fails with its code (exit 1); a missing argument is a usage error (exit 2)', async () => {
    const empty = path.join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = await pakt('pack', empty, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('E_PKG_METADATA_MISSING');
    expect(r.stderr).toMatch(/^error\[E_PKG_METADATA_MISSING\]/);
    expect((await pakt('pack')).code).toBe(2);
  });
});

describe('pakt validate', () => {
  it('exit 0 and a summary for a valid package', async () => {
    const r = await pakt('validate', path.join(VALID_DIR, 'comma-ranges.zip'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/comma-ranges@2\.0\.0-beta\.1\+build\.5 is a valid package/);
  });

  it('exit 1 and every error, in --json and in text', async () => {
    const file = path.join(INVALID_DIR, 'E_PKG_PATH_DUPLICATE--same-name-twice.zip');
    const j = await pakt('validate', file, '--json');
    expect(j.code).toBe(1);
    const json = JSON.parse(j.stdout);
    expect(json.valid).toBe(false);
    expect(json.name).toBe('hostile');
    expect(json.version).toBe('1.0.0');
    // The duplicate the fixture is named after, and what it does to the manifest's second entry.
    expect(json.errors.map((e: { code: string }) => e.code)).toEqual(['E_PKG_PATH_DUPLICATE', 'E_PKG_HASH_MISMATCH', 'E_PKG_FILE_SIZE_MISMATCH']);
    for (const e of json.errors) expect(Object.keys(e).every((k) => ['code', 'message', 'path'].includes(k))).toBe(true);
    const t = await pakt('validate', file);
    expect(t.code).toBe(1);
    for (const e of json.errors) expect(t.stdout).toContain(`error[${e.code}]`);
    expect(t.stdout.split('\n').filter((l: string) => l.includes('error[')).length).toBe(json.errors.length);
  });

  it('an unreadable archive reports null name and version', async () => {
    const r = await pakt('validate', path.join(INVALID_DIR, 'E_PKG_NOT_ZIP--plain-text.zip'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, name: null, version: null, errors: [{ code: 'E_PKG_NOT_ZIP' }] });
  });

  it('a missing file is E_INPUT_NOT_FOUND (exit 1)', async () => {
    const r = await pakt('validate', 'nope.zip', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('E_INPUT_NOT_FOUND');
  });
});

describe('the built CLI as a child process', () => {
  const bin = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  beforeAll(() => {
    // Type errors elsewhere in the tree must not stop the emit; only the output file matters.
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  }, 180_000);

  it('packs and validates, with exit codes 0 and 1', () => {
    expect(existsSync(bin)).toBe(true);
    const dir = sourceFolder('streamed');
    const out = path.join(work, 'child.zip');
    const packed = JSON.parse(execFileSync(process.execPath, [bin, 'pack', dir, '-o', out, '--json'], { cwd: work, encoding: 'utf8' }));
    expect(packed.name).toBe('streamed');
    const ok = spawnSync(process.execPath, [bin, 'validate', out, '--json'], { cwd: work, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).valid).toBe(true);
    const bad = path.join(work, 'bad.zip');
    writeFileSync(bad, 'not a zip at all, only text');
    const ko = spawnSync(process.execPath, [bin, 'validate', bad], { cwd: work, encoding: 'utf8' });
    expect(ko.status).toBe(1);
    expect(ko.stdout).toMatch(/error\[E_PKG_NOT_ZIP\]/);
  });
});

describe('pakt validate never prints raw names', () => {
  it('escapes control characters of hostile names in text output', async () => {
    const r = await pakt('validate', path.join(INVALID_DIR, 'E_PKG_PATH_CONTROL_CHAR--raw-control-byte-without-flag.zip'));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).toContain('\\u001b');
  });
});
