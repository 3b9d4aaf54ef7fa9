/**
 * `advisories import` as hostile input: every input form, malformed records (refused as a whole
 * by default, listed with their file; skipped and listed with skipInvalid), hostile ZIPs, and the
 * database left exactly as it was by every refusal.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { craftZip, type CraftEntry } from '../../fixtures/zip-craft.js';
import { advisoryStatus, importAdvisories } from '../../src/scan/advisories.js';
import type { RegistryError } from '../../src/errors.js';
import { expectCode } from '../helpers/expect-code.js';
import { FIXTURES, realRecords, world, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(() => w.cleanup());

const fixtureFiles = (): Array<{ name: string; data: Buffer }> =>
  realRecords().map((r) => ({ name: `${r.id}.json`, data: readFileSync(path.join(FIXTURES, `${r.id}.json`)) }));

function writeZip(name: string, entries: readonly CraftEntry[], options = {}): string {
  const file = path.join(w.dir, name);
  writeFileSync(file, craftZip(entries, options));
  return file;
}

/** osv.dev's layout: one <ID>.json per record at the root of the ZIP. */
function allZip(extra: readonly CraftEntry[] = []): string {
  return writeZip('all.zip', [...fixtureFiles().map((f) => ({ name: f.name, data: f.data })), ...extra]);
}

describe('advisories import: the input forms', () => {
  it('a ZIP in the layout of osv.dev all.zip', async () => {
    const report = await importAdvisories(w, allZip());
    expect(report).toMatchObject({ imported: 31, updated: 0, unchanged: 0, withdrawn: 0, ignored: 1, records: 32, skippedCount: 0, input: { kind: 'zip', documents: 32 } });
    expect(report.db).toMatchObject({ records: 31, newestModified: '2024-09-11T17:17:48Z', importedAt: w.now.value.toISOString() });
    expect(report.db.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(w.events).toMatchObject([{ action: 'advisories-import', outcome: 'success', actor: 'tester', detail: { kind: 'zip', records: 32, imported: 31, ignored: 1, dbVersion: report.db.version } }]);
  });

  it('one record, an array of records, and a folder (nested; dot-folders, links and other files left alone) give the same database', async () => {
    const single = path.join(w.dir, 'one.json');
    writeFileSync(single, readFileSync(path.join(FIXTURES, 'GHSA-35jh-r3h4-6jhm.json')));
    expect(await importAdvisories(w, single)).toMatchObject({ imported: 1, input: { kind: 'file', documents: 1 } });

    const array = path.join(w.dir, 'all.json');
    writeFileSync(array, JSON.stringify(realRecords()));
    const fromArray = await importAdvisories(w, array);
    expect(fromArray).toMatchObject({ imported: 30, unchanged: 1, ignored: 1, records: 32 });

    const other = await world();
    try {
      const folder = path.join(w.dir, 'clone');
      for (const [i, f] of fixtureFiles().entries()) {
        const sub = path.join(folder, 'advisories', 'github-reviewed', String(2000 + (i % 3)), f.name.replace('.json', ''));
        mkdirSync(sub, { recursive: true });
        writeFileSync(path.join(sub, f.name), f.data);
      }
      mkdirSync(path.join(folder, '.git'));
      writeFileSync(path.join(folder, '.git', 'broken.json'), '{ not json');
      writeFileSync(path.join(folder, 'README.md'), '# not a record');
      symlinkSync('/etc/passwd', path.join(folder, 'link.json'));
      const fromFolder = await importAdvisories(other, folder);
      expect(fromFolder).toMatchObject({ imported: 31, ignored: 1, records: 32, input: { kind: 'folder', documents: 32 } });
      expect(fromFolder.db.version).toBe(fromArray.db.version);
    } finally {
      other.cleanup();
    }
  });

  it('importing the same database twice changes nothing but the import time', async () => {
    const zip = allZip();
    const first = await importAdvisories(w, zip);
    w.now.value = new Date(w.now.value.getTime() + 3_600_000);
    const second = await importAdvisories(w, zip);
    expect(second).toMatchObject({ imported: 0, updated: 0, unchanged: 31, withdrawn: 0, ignored: 1 });
    expect(second.db).toEqual({ ...first.db, importedAt: w.now.value.toISOString() });
    expect(await advisoryStatus(w)).toEqual({ ...second.db, ageHours: 0 });
    w.now.value = new Date(w.now.value.getTime() + 90 * 60_000);
    expect((await advisoryStatus(w))!.ageHours).toBe(1.5);
  });

  it('reports progress, and refuses an input with no records, a missing input and a read-only feed', async () => {
    const seen: number[] = [];
    await importAdvisories(w, allZip(), { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(32);
    const empty = path.join(w.dir, 'empty');
    mkdirSync(empty);
    await expectCode(() => importAdvisories(w, empty), 'E_ADVISORY_INPUT_EMPTY');
    writeFileSync(path.join(w.dir, 'empty.json'), '[]');
    await expectCode(() => importAdvisories(w, path.join(w.dir, 'empty.json')), 'E_ADVISORY_INPUT_EMPTY');
    await expectCode(() => importAdvisories(w, path.join(w.dir, 'nope.zip')), 'E_INPUT_NOT_FOUND');
    const readOnly = { ...w, scanner: { ...w.scanner, importRecords: undefined } } as unknown as World;
    await expectCode(() => importAdvisories(readOnly, allZip()), 'E_PROVIDER_INCOMPATIBLE');
  });
});

describe('advisories import: malformed records', () => {
  async function folderWith(files: Record<string, string>): Promise<string> {
    const dir = path.join(w.dir, `in-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    for (const f of fixtureFiles().slice(0, 5)) writeFileSync(path.join(dir, f.name), f.data);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  }

  it('refuse the whole import, listing each bad record with its file; nothing is imported', async () => {
    const first = await importAdvisories(w, path.join(FIXTURES, 'GHSA-xvch-5gv4-984h.json'));
    const dir = await folderWith({
      'bad-no-modified.json': JSON.stringify({ id: 'GHSA-0000-0000-0001', affected: [] }),
      'bad-syntax.json': '{ "id": "GHSA-0000-0000-0002", }',
      'bad-duplicate-key.json': '{ "id": "GHSA-0000-0000-0003", "modified": "2024-01-01T00:00:00Z", "modified": "2030-01-01T00:00:00Z" }',
      'bad-proto.json': '{ "id": "GHSA-0000-0000-0004", "modified": "2024-01-01T00:00:00Z", "__proto__": { "x": 1 } }',
      'bad-event.json': JSON.stringify({ id: 'GHSA-0000-0000-0005', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] }),
      'bad-version.json': JSON.stringify({ id: 'GHSA-0000-0000-0006', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'one point two' }] }] }] }),
      'bad-array.json': JSON.stringify([{ id: 'GHSA-0000-0000-0007', modified: '2024-01-01T00:00:00Z' }, 42]),
    });
    const err = await expectCode(() => importAdvisories(w, dir), 'E_ADVISORY_INVALID');
    expect(err.message).toMatch(/^7 of 13 advisory records in .* cannot be imported, so nothing was imported:/);
    expect(err.message).toContain(`${path.join(dir, 'bad-no-modified.json')} (GHSA-0000-0000-0001): /modified: modified is missing`);
    expect(err.message).toContain(`${path.join(dir, 'bad-syntax.json')}: ${path.join(dir, 'bad-syntax.json')}: expected a string key at line 1`);
    expect(err.message).toContain("key 'modified' appears twice");
    expect(err.message).toContain("key '__proto__'");
    expect(err.message).toContain('/affected/0/ranges/0/events/0: an event holds exactly one of introduced, fixed, last_affected, limit (this one holds introduced and fixed)');
    expect(err.message).toContain('(GHSA-0000-0000-0006): affected[0].ranges[0].events[1].fixed "one point two" is not a version that can be ordered');
    expect(err.message).toContain(`${path.join(dir, 'bad-array.json')}#/1: /: an OSV record is a JSON object`);
    expect(err.hint).toBe(`Fix or remove the records listed, or import the valid ones and skip these with \`pakt advisories import ${dir} --skip-invalid\`.`);
    expect(await advisoryStatus(w)).toEqual({ ...first.db, ageHours: 0 });
    expect(w.events.at(-1)).toMatchObject({ action: 'advisories-import', outcome: 'failure', code: 'E_ADVISORY_INVALID' });
  });

  it('with skipInvalid, import the valid ones and list the skipped; an input of nothing but bad ones is still refused', async () => {
    const dir = await folderWith({ 'bad.json': JSON.stringify({ id: 'GHSA-0000-0000-0001' }), 'worse.json': JSON.stringify({ id: 'GHSA-0000-0000-0002', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] }] }) });
    const report = await importAdvisories(w, dir, { skipInvalid: true });
    expect(report).toMatchObject({ imported: 5, records: 7, skippedCount: 2 });
    expect(report.skipped.map((s) => [path.basename(s.file), s.id])).toEqual([['bad.json', 'GHSA-0000-0000-0001'], ['worse.json', 'GHSA-0000-0000-0002']]);
    expect(report.skipped[1]!.message).toContain('has no introduced event');
    const onlyBad = path.join(w.dir, 'only-bad.json');
    writeFileSync(onlyBad, JSON.stringify([{ id: 'X-1' }]));
    await expectCode(() => importAdvisories(w, onlyBad, { skipInvalid: true }), 'E_ADVISORY_INVALID');
  });

  it('a JSON document beyond the size limit is refused before it is read', async () => {
    const big = path.join(w.dir, 'big.json');
    writeFileSync(big, JSON.stringify(realRecords()));
    const err = await expectCode(() => importAdvisories(w, big, { limits: { maxAdvisoryJsonBytes: 1000 } }), 'E_ADVISORY_TOO_LARGE');
    expect(err.message).toContain('(limit maxAdvisoryJsonBytes)');
    await expectCode(() => importAdvisories(w, big, { limits: { maxAdvisoryJsonBytez: 1 } as never }), 'E_LIMIT_INVALID');
  });
});

describe('advisories import: hostile ZIPs are refused whole, leaving the database as it was', () => {
  const good = (): CraftEntry[] => fixtureFiles().slice(0, 3).map((f) => ({ name: f.name, data: f.data }));
  const record = readFileSync(path.join(FIXTURES, 'GHSA-35jh-r3h4-6jhm.json'));

  const CASES: Array<[string, () => string, 'E_ADVISORY_ARCHIVE_INVALID' | 'E_ADVISORY_TOO_LARGE', string]> = [
    ['a path with ..', () => writeZip('a.zip', [...good(), { name: '../escape.json', data: record }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_PATH_TRAVERSAL'],
    ['an absolute path', () => writeZip('a.zip', [...good(), { name: '/etc/x.json', data: record }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_PATH_ABSOLUTE'],
    ['a backslash', () => writeZip('a.zip', [...good(), { name: 'a\\b.json', data: record }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_PATH_BACKSLASH'],
    ['a symbolic link entry', () => writeZip('a.zip', [...good(), { name: 'link.json', data: '/etc/passwd', externalAttributes: (0o120777 << 16) >>> 0 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_SYMLINK'],
    ['an encrypted entry', () => writeZip('a.zip', [...good(), { name: 'x.json', data: record, flags: 0x1 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_ENCRYPTED'],
    ['compression method bzip2', () => writeZip('a.zip', [...good(), { name: 'x.json', raw: Buffer.from('BZh9'), method: 12, uncompressedSize: 4 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_COMPRESSION_METHOD'],
    ['a wrong CRC', () => writeZip('a.zip', [...good(), { name: 'x.json', data: record, crc: 0x12345678 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_CRC_MISMATCH'],
    ['data that inflates beyond its declared size', () => writeZip('a.zip', [...good(), { name: 'x.json', data: record, uncompressedSize: 100 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_SIZE_MISMATCH'],
    ['broken deflate data', () => writeZip('a.zip', [...good(), { name: 'x.json', raw: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]), method: 8, uncompressedSize: 10 }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_DATA_CORRUPT'],
    ['two names that differ only in case', () => writeZip('a.zip', [...good(), { name: 'GHSA-35jh-r3h4-6jhm.json', data: record }, { name: 'ghsa-35jh-r3h4-6jhm.json', data: record }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_PATH_DUPLICATE'],
    ['two central records for one entry (overlap)', () => writeZip('a.zip', good(), { extraCentral: [{ index: 0, name: 'again.json' }] }), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_ENTRY_OVERLAP'],
    ['bytes after the end record', () => writeZip('a.zip', good(), { trailing: Buffer.from('appended') }), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_TRAILING_DATA'],
    ['a stub in front', () => writeZip('a.zip', good(), { prefix: Buffer.from('MZ stub') }), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_PREFIX_DATA'],
    ['a local header that names another file', () => writeZip('a.zip', [...good(), { name: 'x.json', data: record, local: { name: 'y.json' } }]), 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_HEADER_MISMATCH'],
    ['a file named .zip that is no ZIP', () => { const f = path.join(w.dir, 'text.zip'); writeFileSync(f, 'just text, no archive'); return f; }, 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_NOT_ZIP'],
    ['a truncated ZIP', () => { const f = path.join(w.dir, 'cut.zip'); writeFileSync(f, craftZip(good()).subarray(0, 900)); return f; }, 'E_ADVISORY_ARCHIVE_INVALID', 'E_PKG_NOT_ZIP'],
    ['an entry that expands beyond the ratio (a bomb)', () => writeZip('a.zip', [...good(), { name: 'bomb.json', data: Buffer.alloc(8 * 1024 * 1024, 0x20) }]), 'E_ADVISORY_TOO_LARGE', ''],
  ];

  it.each(CASES)('%s', async (_title, make, code, reason) => {
    const before = await importAdvisories(w, path.join(FIXTURES, 'GHSA-xvch-5gv4-984h.json'));
    const err = await expectCode(() => importAdvisories(w, make(), { skipInvalid: true }), code);
    if (reason) expect((err as RegistryError<'E_ADVISORY_ARCHIVE_INVALID'>).details.reason, err.message).toBe(reason);
    expect(err.message).toContain('nothing was imported');
    expect(await advisoryStatus(w)).toEqual({ ...before.db, ageHours: 0 });
  });

  it('entry counts, the whole ZIP and declared sizes are bounded before anything is inflated', async () => {
    const zip = allZip();
    expect((await expectCode(() => importAdvisories(w, zip, { limits: { maxAdvisoryEntries: 10 } }), 'E_ADVISORY_TOO_LARGE')).message).toContain('maxAdvisoryEntries');
    expect((await expectCode(() => importAdvisories(w, zip, { limits: { maxAdvisoryZipBytes: 1000 } }), 'E_ADVISORY_TOO_LARGE')).message).toContain('maxAdvisoryZipBytes');
    expect((await expectCode(() => importAdvisories(w, zip, { limits: { maxAdvisoryJsonBytes: 2000 } }), 'E_ADVISORY_TOO_LARGE')).message).toContain('maxAdvisoryJsonBytes');
    expect((await expectCode(() => importAdvisories(w, zip, { limits: { maxAdvisoryUncompressedBytes: 10_000 } }), 'E_ADVISORY_TOO_LARGE')).message).toContain('maxAdvisoryUncompressedBytes');
    expect(await advisoryStatus(w)).toBeUndefined();
  });

  it('entries that are not .json (a README, folders) are checked but not read', async () => {
    const zip = writeZip('mixed.zip', [{ name: 'docs/' }, { name: 'docs/README.md', data: '# notes' }, ...good()]);
    expect(await importAdvisories(w, zip)).toMatchObject({ records: 3, input: { documents: 3 } });
  });
});
