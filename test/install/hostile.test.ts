/**
 * Hostile archives that reached the store without validation (written straight into its
 * storage and metadata, as a compromised or buggy publisher could): install refuses each with
 * its code before writing anything, and nothing ever lands outside the install folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_METADATA, craftPackage, type PackageSpec } from '../../fixtures/cases.js';
import type { CraftEntry, CraftOptions } from '../../fixtures/zip-craft.js';
import { defaultProviders, type DefaultProviders } from '../../providers/index.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import type { ErrorCode, RegistryError } from '../../src/errors.js';
import { digestOfBytes } from '../../src/util/digest.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { expectCode } from '../helpers/expect-code.js';
import { readLock, tree } from './helpers.js';

let t: TempStore;
let providers: DefaultProviders;
let registry: CoreRegistryManager;
let sandbox: string;
let counter = 0;

beforeAll(async () => {
  t = tempStore();
  providers = defaultProviders({ path: t.store, fsync: false, audit: false });
  registry = new CoreRegistryManager({ ...providers, actor: 'tester' });
  sandbox = path.join(t.dir, 'sandbox');
  mkdirSync(sandbox);
});
afterAll(async () => {
  await registry.close();
  t.cleanup();
});

/** Puts `bytes` into the store as name@version with no validation at all. */
async function insertStraight(bytes: Buffer, name: string, version = '1.0.0', dependencies?: Record<string, string>): Promise<void> {
  const digest = digestOfBytes(bytes);
  await providers.storage.putBytes!(digest, bytes, { name, version });
  const outcome = await providers.metadata.insertVersion({
    name,
    version,
    digest,
    size: bytes.length,
    publishedAt: new Date().toISOString(),
    metadata: { name, version, ...(dependencies ? { dependencies } : {}) },
  });
  expect(outcome.status).toBe('inserted');
}

/** A hostile package named `name` (metadata and manifest made to match it unless overridden). */
function hostile(name: string, spec: PackageSpec, options?: CraftOptions): Buffer {
  return craftPackage({ metadata: { ...BASE_METADATA, name }, ...spec }, options);
}

const file = (name: string | Buffer, data = 'x\n', extra: Partial<CraftEntry> = {}): CraftEntry => ({ name, data, ...extra });
const ok = file('lib/index.js', 'export {};\n');

/** Installs `name` into a fresh folder in the sandbox; expects `code`, then nothing outside or inside. */
async function expectRefused(name: string, code: ErrorCode, rule?: string): Promise<void> {
  const into = path.join(sandbox, `plugins-${++counter}`, 'deep');
  mkdirSync(into, { recursive: true });
  const before = tree(sandbox);
  const err = await expectCode(() => registry.install({ into, requirements: [name], fsync: false }), code);
  if (rule !== undefined) expect((err as RegistryError<'E_INSTALL_UNSAFE_ENTRY' | 'E_INSTALL_PATH_NOT_PORTABLE'>).details.rule, err.message).toBe(rule);
  expect(err.message).toMatch(/nothing was written|cannot be installed/);
  // Not a byte anywhere: no package folder, no lockfile, no working area left, nothing beside.
  expect(tree(sandbox)).toEqual(before);
  expect(existsSync(path.join(t.dir, 'escape.txt'))).toBe(false);
  expect(existsSync('/tmp/escape.txt') && statSync('/tmp/escape.txt').mtimeMs > Date.now() - 60_000).toBe(false);
}

describe('archives that escape, link or collide are refused before anything is written (E_INSTALL_UNSAFE_ENTRY)', () => {
  const cases: Array<[string, CraftEntry[], string]> = [
    ['dotdot', [ok, file('../escape.txt')], 'E_PKG_PATH_TRAVERSAL'],
    ['dotdot-deep', [ok, file('lib/../../../escape.txt')], 'E_PKG_PATH_TRAVERSAL'],
    ['absolute', [ok, file('/tmp/escape.txt')], 'E_PKG_PATH_ABSOLUTE'],
    ['drive', [ok, file('C:/escape.txt')], 'E_PKG_PATH_ABSOLUTE'],
    ['backslash', [ok, file('..\\escape.txt')], 'E_PKG_PATH_BACKSLASH'],
    ['dot-segment', [ok, file('lib/./x.js')], 'E_PKG_PATH_SEGMENT_INVALID'],
    ['control-char', [ok, file('lib/a\u0007b.js')], 'E_PKG_PATH_CONTROL_CHAR'],
    ['not-utf8', [ok, file(Buffer.from([0x6c, 0x69, 0x62, 0x2f, 0xff, 0xfe]))], 'E_PKG_PATH_NOT_UTF8'],
    ['not-nfc', [ok, file('cafe\u0301.txt')], 'E_PKG_PATH_NOT_NFC'],
    ['symlink', [ok, file('lib/link', '../../../escape.txt', { method: 0, externalAttributes: (0o120777 << 16) >>> 0 })], 'E_PKG_SYMLINK'],
    ['symlink-then-through-it', [ok, file('out', '..', { method: 0, externalAttributes: (0o120777 << 16) >>> 0 }), file('out/escape.txt')], 'E_PKG_SYMLINK'],
    ['windows-reparse-point', [ok, file('lib/junction', '', { versionMadeBy: 0x0014, externalAttributes: 0x400 })], 'E_PKG_SYMLINK'],
    ['fifo', [ok, file('lib/pipe', '', { externalAttributes: (0o010644 << 16) >>> 0 })], 'E_PKG_SPECIAL_FILE'],
    ['block-device', [ok, file('lib/disk', '', { externalAttributes: (0o060644 << 16) >>> 0 })], 'E_PKG_SPECIAL_FILE'],
    ['case-collision', [ok, file('README.md', 'a'), file('readme.md', 'b')], 'E_PKG_PATH_DUPLICATE'],
    ['fold-collision', [ok, file('straße.txt', 'a'), file('STRASSE.txt', 'b')], 'E_PKG_PATH_DUPLICATE'],
    ['same-name-twice', [ok, file('lib/a.js', 'a'), file('lib/a.js', 'b')], 'E_PKG_PATH_DUPLICATE'],
    ['file-and-folder', [ok, file('lib/a', 'a'), file('lib/a/b.js', 'b')], 'E_PKG_PATH_FILE_FOLDER_CONFLICT'],
    ['file-and-folder-case', [ok, file('lib/A', 'a'), file('lib/a/b.js', 'b')], 'E_PKG_PATH_FILE_FOLDER_CONFLICT'],
  ];
  for (const [label, files, rule] of cases) {
    it(label, async () => {
      const name = `evil-${label}`;
      await insertStraight(hostile(name, { files }), name);
      await expectRefused(name, 'E_INSTALL_UNSAFE_ENTRY', rule);
    });
  }
});

describe('paths that cannot be extracted on every system are refused (E_INSTALL_PATH_NOT_PORTABLE)', () => {
  const cases: Array<[string, string, string]> = [
    ['colon', 'lib/a:b.js', 'reserved-character'],
    ['question-mark', 'docs/why?.md', 'reserved-character'],
    ['pipe', 'a|b', 'reserved-character'],
    ['angle', 'x<y>.txt', 'reserved-character'],
    ['quote', 'say"hi".txt', 'reserved-character'],
    ['star', 'glob*.js', 'reserved-character'],
    ['trailing-dot', 'notes.', 'trailing-dot-or-space'],
    ['trailing-space', 'lib /x.js', 'trailing-dot-or-space'],
    ['device', 'aux.js', 'reserved-device-name'],
    ['device-folder', 'CON/readme.md', 'reserved-device-name'],
    ['device-com', 'bin/com1.txt.gz', 'reserved-device-name'],
    ['device-lpt', 'Lpt9', 'reserved-device-name'],
  ];
  for (const [label, entry, rule] of cases) {
    it(label, async () => {
      const name = `unportable-${label}`;
      await insertStraight(hostile(name, { files: [ok, file(entry)] }), name);
      await expectRefused(name, 'E_INSTALL_PATH_NOT_PORTABLE', rule);
    });
  }

  it('a package whose own folder name is not portable is refused before anything is fetched', async () => {
    await insertStraight(hostile('con', { files: [ok] }), 'con');
    await expectRefused('con', 'E_INSTALL_PATH_NOT_PORTABLE', 'reserved-device-name');
    await insertStraight(hostile('trailing.', { files: [ok] }), 'trailing.');
    await expectRefused('trailing.', 'E_INSTALL_PATH_NOT_PORTABLE', 'trailing-dot-or-space');
  });

  it('a package named like the lockfile is refused (E_INSTALL_NAME_RESERVED)', async () => {
    await insertStraight(hostile('pakt-lock.json', { files: [ok] }), 'pakt-lock.json');
    await expectRefused('pakt-lock.json', 'E_INSTALL_NAME_RESERVED');
  });
});

describe('archives that do not match their own manifest or record are refused (E_INSTALL_ARCHIVE_INVALID)', () => {
  const cases: Array<[string, (name: string) => Buffer]> = [
    ['hash-mismatch', (name) => hostile(name, { files: [ok], manifest: (m: { files: Record<string, { hash: string }> }) => ({ ...m, files: { 'lib/index.js': { hash: 'a'.repeat(64), size: 11 } } }) })],
    ['large-file-hash-mismatch', (name) => hostile(name, { files: [ok, file('data/big.bin', randomBytes(2 * 1024 * 1024).toString('base64'))], manifest: (m: { files: Record<string, { hash: string; size: number }> }) => ({ ...m, files: { ...m.files, 'data/big.bin': { ...m.files['data/big.bin']!, hash: 'c'.repeat(64) } } }) })],
    ['large-file-inflates-past-declared-size', (name) => hostile(name, { files: [ok, file('data/big.bin', 'q'.repeat(3 * 1024 * 1024), { uncompressedSize: 2 * 1024 * 1024 })], manifest: (m: { files: Record<string, { hash: string }> }) => ({ ...m, files: Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, { hash: v.hash }])) }) })],
    ['size-mismatch-in-manifest', (name) => hostile(name, { files: [ok], manifest: (m: { files: Record<string, { hash: string }> }) => ({ ...m, files: { 'lib/index.js': { hash: m.files['lib/index.js']!.hash, size: 99 } } }) })],
    ['unlisted-file', (name) => hostile(name, { files: [ok, file('extra.bin')], unlisted: ['extra.bin'] })],
    ['listed-but-missing', (name) => hostile(name, { files: [ok], manifest: (m: { files: Record<string, unknown> }) => ({ ...m, files: { ...m.files, 'ghost.js': { hash: 'b'.repeat(64) } } }) })],
    ['other-package-inside', (name) => craftPackage({ metadata: { ...BASE_METADATA, name: `${name}-other` }, files: [ok] })],
    ['other-version-inside', (name) => craftPackage({ metadata: { ...BASE_METADATA, name, version: '9.9.9' }, files: [ok] })],
    ['no-manifest', (name) => hostile(name, { files: [ok], manifest: null })],
    ['no-metadata', (name) => craftPackage({ metadata: null, files: [ok] })],
    ['broken-metadata-json', (name) => craftPackage({ metadata: `{"name":"${name}","version":"1.0.0","name":"x"}`, files: [ok] })],
    ['declares-fewer-bytes', (name) => hostile(name, { files: [ok, file('big.txt', 'y'.repeat(5000), { uncompressedSize: 100 })] })],
    ['inflates-past-declared-size', (name) => hostile(name, { files: [ok, file('big.txt', 'y'.repeat(5000), { uncompressedSize: 100 })], manifest: (m: { files: Record<string, { hash: string }> }) => ({ ...m, files: Object.fromEntries(Object.entries(m.files).map(([k, v]) => [k, { hash: v.hash }])) }) })],
    ['encrypted', (name) => hostile(name, { files: [ok, file('secret.bin', 'z', { flags: 0x1 })] })],
    ['unknown-method', (name) => hostile(name, { files: [ok, file('weird.bin', 'z', { method: 12, raw: Buffer.from('zzz') })] })],
    ['corrupt-deflate', (name) => hostile(name, { files: [ok, file('bad.bin', 'abcdef', { raw: Buffer.from([0xff, 0xff, 0xff, 0xff]) })] })],
    ['bomb', (name) => hostile(name, { files: [ok, file('zeros.bin', Buffer.alloc(4 * 1024 * 1024) as unknown as string)] })],
    ['not-a-zip', () => Buffer.from('this is not a zip archive at all')],
  ];
  for (const [label, make] of cases) {
    it(label, async () => {
      const name = `invalid-${label}`;
      await insertStraight(make(name), name);
      await expectRefused(name, 'E_INSTALL_ARCHIVE_INVALID');
    });
  }

  it('a hostile dependency fails the whole install: the good packages of the tree are not installed either', async () => {
    await insertStraight(hostile('evil-dep', { files: [ok, file('../escape.txt')] }), 'evil-dep');
    await insertStraight(craftPackage({ files: [ok], metadata: { ...BASE_METADATA, name: 'nice-app', dependencies: { 'evil-dep': '^1.0.0' } } }), 'nice-app', '1.0.0', { 'evil-dep': '^1.0.0' });
    await expectRefused('nice-app', 'E_INSTALL_UNSAFE_ENTRY', 'E_PKG_PATH_TRAVERSAL');
  });
});

describe('a refused upgrade leaves the installed version as it was', () => {
  it('installs a good 1.0.0, refuses a hostile 2.0.0, keeps 1.0.0 whole', async () => {
    await insertStraight(hostile('drift', { files: [ok] }), 'drift', '1.0.0');
    const into = path.join(sandbox, 'upgrade-target');
    await registry.install({ into, requirements: { drift: '*' }, fsync: false });
    const before = tree(into);
    await insertStraight(hostile('drift', { metadata: { ...BASE_METADATA, name: 'drift', version: '2.0.0' }, files: [ok, file('lib/../../escape.txt')] }), 'drift', '2.0.0');
    await expectCode(() => registry.upgradeInstalled({ into, all: true, fsync: false }), 'E_INSTALL_UNSAFE_ENTRY');
    expect(tree(into)).toEqual(before);
    expect(readLock(into).packages['drift']!.version).toBe('1.0.0');
    expect((await registry.listInstalled({ into, verify: true })).ok).toBe(true);
  });
});

describe('what a safe archive holds is written as it should be', () => {
  it('keeps executable bits, drops setuid and sticky bits, creates empty folders', async () => {
    const name = 'modes';
    await insertStraight(
      hostile(name, {
        files: [
          ok,
          file('bin/run.sh', '#!/bin/sh\necho hi\n', { externalAttributes: (0o104755 << 16) >>> 0 }),
          file('bin/sticky', 'x', { externalAttributes: (0o101777 << 16) >>> 0 }),
          { name: 'empty/', externalAttributes: (0o040755 << 16) >>> 0 },
        ],
      }),
      name,
    );
    const into = path.join(sandbox, 'modes-target');
    await registry.install({ into, requirements: [name], fsync: false });
    const mode = (rel: string) => statSync(path.join(into, name, rel)).mode & 0o7777;
    const umask = process.umask();
    expect(mode('bin/run.sh')).toBe(0o755 & ~umask);
    expect(mode('bin/sticky')).toBe(0o755 & ~umask);
    expect(mode('lib/index.js')).toBe(0o644 & ~umask);
    expect(statSync(path.join(into, name, 'empty')).isDirectory()).toBe(true);
    expect((await registry.listInstalled({ into, verify: true })).ok).toBe(true);
  });
});
