/**
 * Interoperability with the ZIP tools people use: packages zipped by Info-ZIP `zip` and Python's
 * zipfile (deflated, stored, with folder entries, streamed with data descriptors, ZIP64) must
 * validate, and every valid fixture must pass `unzip -t` and Python's testzip. Each case is
 * skipped, and says so, where the tool is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VALID_DIR } from '../../fixtures/build.js';
import { validateArchiveFile } from '../../src/package/validate-archive.js';

const has = (cmd: string, arg = '-v') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const HAS_ZIP = has('zip', '-v');
const HAS_UNZIP = has('unzip', '-v');
const HAS_PYTHON = has('python3', '--version');

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-interop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const src = path.join(work, 'src');
cpSync(path.join(VALID_DIR, 'unicode-names'), src, { recursive: true });
const validZips = readdirSync(VALID_DIR).filter((f) => f.endsWith('.zip'));

async function expectValid(file: string): Promise<void> {
  const report = await validateArchiveFile(file);
  expect(report.errors, path.basename(file)).toEqual([]);
}

describe('archives written by other tools validate', () => {
  it.skipIf(!HAS_ZIP)('Info-ZIP zip: deflated, stored, without folders, ZIP64 forced, streamed to a pipe (unsupported without zip)', async () => {
    const variants: Array<[string, string[]]> = [['plain', []], ['stored', ['-0']], ['no-folders', ['-D']], ['zip64', ['-fz']]];
    for (const [name, flags] of variants) {
      const out = path.join(work, `infozip-${name}.zip`);
      execFileSync('zip', ['-q', '-r', ...flags, out, '.'], { cwd: src });
      await expectValid(out);
    }
    const piped = path.join(work, 'infozip-piped.zip');
    execFileSync('sh', ['-c', `zip -q -r - . > '${piped}'`], { cwd: src });
    await expectValid(piped);
  });

  it.skipIf(!HAS_PYTHON)('Python zipfile: write, writestr, folder entries, ZIP64, unseekable stream (unsupported without python3)', async () => {
    const script = `
import zipfile, os, sys
src, out = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(r, f) for r, _, fs in os.walk(src) for f in fs)
rel = lambda p: os.path.relpath(p, src)
with zipfile.ZipFile(os.path.join(out, 'py-write.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for f in files: z.write(f, rel(f))
with zipfile.ZipFile(os.path.join(out, 'py-writestr.zip'), 'w') as z:
    for f in files: z.writestr(rel(f), open(f, 'rb').read())
with zipfile.ZipFile(os.path.join(out, 'py-folders.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for r, _, fs in os.walk(src):
        if rel(r) != '.': z.write(r, rel(r))
        for f in fs: z.write(os.path.join(r, f), rel(os.path.join(r, f)))
with zipfile.ZipFile(os.path.join(out, 'py-zip64.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for f in files:
        with open(f, 'rb') as fh, z.open(rel(f), 'w', force_zip64=True) as w: w.write(fh.read())
class Unseekable:
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
with open(os.path.join(out, 'py-stream.zip'), 'wb') as raw:
    with zipfile.ZipFile(Unseekable(raw), 'w', zipfile.ZIP_DEFLATED) as z:
        for f in files:
            with open(f, 'rb') as fh, z.open(rel(f), 'w') as w: w.write(fh.read())
`;
    const out = path.join(work, 'py');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('python3', ['-c', script, src, out]);
    const made = readdirSync(out);
    expect(made.length).toBe(5);
    for (const f of made) await expectValid(path.join(out, f));
  });
});

describe('our valid fixtures pass other tools', () => {
  it.skipIf(!HAS_UNZIP)('unzip -t (unsupported without unzip)', () => {
    for (const f of validZips) {
      const r = spawnSync('unzip', ['-tq', path.join(VALID_DIR, f)], { encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it.skipIf(!HAS_PYTHON)("Python's testzip (unsupported without python3)", () => {
    const script = 'import zipfile,sys\nfor f in sys.argv[1:]:\n    bad = zipfile.ZipFile(f).testzip()\n    if bad is not None: sys.exit(f + ": " + bad)';
    const r = spawnSync('python3', ['-c', script, ...validZips.map((f) => path.join(VALID_DIR, f))], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
