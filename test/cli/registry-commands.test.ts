import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../providers/storage/fs-cas-layout.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { cliRunner } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const pakt = cliRunner({ cwd: () => t.dir, store: () => t.store });

/** Three packages in a folder, as `pakt publish <dir>` takes them. */
async function packagesFolder(): Promise<string> {
  const dir = path.join(t.dir, 'dist');
  mkdirSync(dir);
  for (const [name, version] of [['left-pad', '1.0.0'], ['left-pad', '1.1.0'], ['@acme/tool', '0.2.0']] as const) {
    const p = await t.pkg(name, version, { tags: ['demo'] });
    renameSync(p.file, path.join(dir, path.basename(p.file)));
  }
  writeFileSync(path.join(dir, 'notes.txt'), 'not a package');
  return dir;
}

describe('pakt registry commands', () => {
  it('init creates the store, idempotently', async () => {
    const first = await pakt(['init', '--json']);
    expect(first).toMatchObject({ code: 0, json: { store: t.store }, stderr: '' });
    expect(existsSync(path.join(t.store, 'registry.db'))).toBe(true);
    const again = await pakt(['init']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already exists');
  });

  it('commands other than init refuse a folder that holds no store (exit 1, coded error)', async () => {
    const r = await pakt(['info', 'left-pad', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_REGISTRY_NOT_FOUND\]: there is no pakt store at .*\n {2}hint: Run `pakt init`/);
    expect(r.json.error).toMatchObject({ code: 'E_REGISTRY_NOT_FOUND' });
  });

  it('publish a folder (--json array), info, versions, download, delete', async () => {
    await pakt(['init']);
    const dir = await packagesFolder();
    const pub = await pakt(['publish', dir, '--json']);
    expect(pub.code).toBe(0);
    expect(pub.stderr).toBe('');
    expect(pub.json).toHaveLength(3);
    for (const item of pub.json) expect(Object.keys(item).sort()).toEqual(['digest', 'file', 'name', 'size', 'status', 'version']);
    expect(pub.json.map((i: { name: string; version: string }) => `${i.name}@${i.version}`)).toEqual(['@acme/tool@0.2.0', 'left-pad@1.0.0', 'left-pad@1.1.0']);
    const again = await pakt(['publish', dir, '--json']);
    expect(again.json.map((i: { status: string }) => i.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    const info = await pakt(['info', 'left-pad', '--json']);
    expect(Object.keys(info.json).sort()).toEqual(['digest', 'metadata', 'name', 'publishedAt', 'size', 'version']);
    expect(info.json).toMatchObject({ name: 'left-pad', version: '1.1.0', metadata: { tags: ['demo'] } });
    const text = await pakt(['info', 'left-pad', '~1.0.0']);
    expect(text.stdout).toMatch(/^left-pad@1\.0\.0\n/);

    const versions = await pakt(['versions', 'left-pad', '--json']);
    expect(versions.json).toEqual({ name: 'left-pad', latest: '1.1.0', versions: ['1.1.0', '1.0.0'] });

    const dl = await pakt(['download', '@acme/tool', '--json']);
    expect(dl.json).toEqual({ name: '@acme/tool', version: '0.2.0', digest: pub.json[0].digest, file: path.join(t.dir, 'acme-tool-0.2.0.zip') });
    const dl2 = await pakt(['download', 'left-pad', '1.0.0', '-o', 'out.zip', '--json']);
    expect(dl2.json.file).toBe(path.join(t.dir, 'out.zip'));
    expect(readFileSync(dl2.json.file).length).toBe(pub.json[1].size);

    const del = await pakt(['delete', 'left-pad', '1.0.0', '--json']);
    expect(del.json).toEqual({ deleted: [{ name: 'left-pad', version: '1.0.0', digest: pub.json[1].digest }], dependents: [] });
    const gone = await pakt(['info', 'left-pad', '1.0.0', '--json']);
    expect(gone.code).toBe(1);
    expect(gone.json.error.code).toBe('E_VERSION_NOT_FOUND');
  });

  it('a refused publish: exit 1, error[E_CODE] and a hint on stderr, the error document with --json', async () => {
    await pakt(['init']);
    const a = await t.pkg('left-pad', '1.0.0');
    const b = await t.pkg('left-pad', '1.0.0', { description: 'changed' });
    expect((await pakt(['publish', a.file])).code).toBe(0);
    const r = await pakt(['publish', b.file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_VERSION_EXISTS\]: .*left-pad@1\.0\.0 is already published/);
    expect(r.stderr).toContain('  hint: Bump the version');
    expect(r.json.error).toMatchObject({ code: 'E_VERSION_EXISTS', name: 'left-pad', version: '1.0.0' });
    const quiet = await pakt(['publish', b.file, '--quiet']);
    expect(quiet.stderr).not.toContain('hint');
    const missing = await pakt(['publish', path.join(t.dir, 'nope.zip')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error\[E_INPUT_NOT_FOUND\]/);
  });

  it('download of a corrupted archive: exit 1, E_STORE_INTEGRITY on stderr, no file written', async () => {
    await pakt(['init']);
    const a = await t.pkg('left-pad', '1.0.0');
    await pakt(['publish', a.file]);
    const blob = blobPath(t.store, a.digest);
    const bytes = readFileSync(blob);
    bytes[10] = bytes[10]! ^ 0x01;
    writeFileSync(blob, bytes);
    const r = await pakt(['download', 'left-pad', '-o', 'left-pad.zip', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_STORE_INTEGRITY\]: /);
    expect(r.json.error.code).toBe('E_STORE_INTEGRITY');
    expect(existsSync(path.join(t.dir, 'left-pad.zip'))).toBe(false);
    const v = await pakt(['verify', '--json']);
    expect(v.code).toBe(1);
    expect(v.json.ok).toBe(false);
    expect([...v.json.corrupt, ...v.json.missing].map((x: { name: string }) => x.name)).toEqual(['left-pad']);
  });

  it('usage errors exit 2', async () => {
    await pakt(['init']);
    expect((await pakt(['info'])).code).toBe(2);
    expect((await pakt(['gc', '--bogus'])).code).toBe(2);
    expect((await pakt(['versions', 'a', 'b'])).stderr).toMatch(/^error\[E_USAGE\]/);
  });

  it('verify: exit 0 when sound; exit 1 listing a corrupt archive; gc --dry-run shows what would go', async () => {
    await pakt(['init']);
    const a = await t.pkg('left-pad', '1.0.0');
    const b = await t.pkg('right-pad', '1.0.0');
    await pakt(['publish', a.file, b.file]);
    const ok = await pakt(['verify', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, checked: 2, corrupt: [], missing: [] });
    expect(ok.json.steps.map((s: { step: string }) => s.step)).toEqual(['sweepTmp', 'collectReferences', 'verifyBlobs', 'findOrphans', 'checkAudit']);

    writeFileSync(blobPath(t.store, a.digest), 'garbage');
    const bad = await pakt(['verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`corrupt  left-pad@1.0.0  ${a.digest}`);
    expect(bad.stdout).toContain('FAILED: 1 corrupt, 0 missing of 2');

    // An orphan: delete right-pad's row only, by deleting and putting the blob back.
    const copy = readFileSync(blobPath(t.store, b.digest));
    await pakt(['delete', 'right-pad', '--yes']);
    mkdirSync(path.dirname(blobPath(t.store, b.digest)), { recursive: true });
    writeFileSync(blobPath(t.store, b.digest), copy);
    const dry = await pakt(['gc', '--dry-run', '--json']);
    expect(dry.json).toMatchObject({ removed: 1, bytesFreed: b.size, dryRun: true, blobs: [{ digest: b.digest, size: b.size }] });
    const dryText = await pakt(['gc', '--dry-run']);
    expect(dryText.stdout).toContain(`would remove  ${b.digest}`);
    expect(existsSync(blobPath(t.store, b.digest))).toBe(true);
    const real = await pakt(['gc', '--json']);
    expect(real.json).toMatchObject({ removed: 1, bytesFreed: b.size, dryRun: false });
    expect(existsSync(blobPath(t.store, b.digest))).toBe(false);
  });

  it('shows progress on a terminal for bulk publish, verify and gc, and stays quiet otherwise', async () => {
    await pakt(['init']);
    const dir = await packagesFolder();
    const tty = await pakt(['publish', dir], { tty: true });
    expect(tty.stderr).toContain('publishing 3/3');
    const piped = await pakt(['publish', dir]);
    expect(piped.stderr).toBe('');
    expect((await pakt(['verify'], { tty: true })).stderr).toContain('verifying');
    expect((await pakt(['verify'])).stderr).not.toContain('verifying');
    expect((await pakt(['verify', '--json'], { tty: true })).stderr).toBe('');
  });

  it('verify --rebuild-metadata restores lost versions from the stored archives', async () => {
    await pakt(['init']);
    const a = await t.pkg('left-pad', '1.0.0');
    await pakt(['publish', a.file]);
    await pakt(['delete', 'left-pad', '--yes']);
    // Put the archive back as if the metadata had lost it.
    const p = (await import('../../providers/index.js')).defaultProviders({ path: t.store, fsync: false, audit: false });
    const copy = path.join(t.dir, 'copy.zip');
    writeFileSync(copy, readFileSync(a.file));
    await p.storage.put(a.digest, a.size, copy);
    await p.metadata.close?.();
    const r = await pakt(['verify', '--rebuild-metadata', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.rebuild).toMatchObject({ scanned: 1, inserted: 1 });
    expect((await pakt(['info', 'left-pad', '--json'])).json.version).toBe('1.0.0');
  });
});
