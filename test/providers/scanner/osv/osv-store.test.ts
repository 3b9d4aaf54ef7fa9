/**
 * The advisory database file under failure: reads that never create it, files that are not (or
 * not yet) ours, a lock held by another import, other processes' imports seen at once, and
 * importers killed at random moments.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../src/contracts/index.js';
import { createOsvScanner } from '../../../../providers/scanner/osv/index.js';
import { expectCode } from '../../../helpers/expect-code.js';
import { bundleChild, killAtRandomAfterFirstLine, type ChildBundle } from '../../../util/child-bundle.js';
import { osvRecord } from '../../../conformance/scanner.suite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = () => path.join(dir, 'advisories.db');
const record = (id: string, name = 'lodash'): OsvRecord => osvRecord(id, name, [{ introduced: '0' }, { fixed: '2.0.0' }]);

describe('the advisory database file', () => {
  it('is not created by reads: no database, no file', async () => {
    const s = createOsvScanner({ path: file() });
    expect(await s.status()).toBeUndefined();
    expect((await s.affecting('lodash', ['1.0.0'])).get('1.0.0')).toEqual([]);
    expect((await s.affectedNames()).size).toBe(0);
    expect(await s.getRecord('X-1')).toBeUndefined();
    expect(existsSync(file())).toBe(false);
    s.close();
    await expectCode(() => s.status(), 'E_CLOSED');
  });

  it('a file that is not a SQLite database is refused (E_ADVISORIES_UNREADABLE) and left as it was', async () => {
    const junk = Buffer.from('not a database at all\n'.repeat(200));
    writeFileSync(file(), junk);
    const s = createOsvScanner({ path: file() });
    await expectCode(() => s.status(), 'E_ADVISORIES_UNREADABLE');
    await expectCode(() => s.importRecords([record('X-1')], { importedAt: '2025-01-01T00:00:00.000Z' }), 'E_ADVISORIES_UNREADABLE');
    expect(readFileSync(file()).equals(junk)).toBe(true);
    s.close();
  });

  it('a SQLite database of something else, and one written by a newer pakt, are refused and left untouched', async () => {
    const foreign = new Database(file());
    foreign.exec('CREATE TABLE customers (id INTEGER)');
    foreign.close();
    const err = await expectCode(() => createOsvScanner({ path: file() }).status(), 'E_ADVISORIES_UNREADABLE');
    expect(err.message).toContain('not a pakt advisory database');
    rmSync(file());
    const s = createOsvScanner({ path: file() });
    await s.importRecords([record('X-1')], { importedAt: '2025-01-01T00:00:00.000Z' });
    s.close();
    const raw = new Database(file());
    raw.prepare('UPDATE schema_version SET version = 99').run();
    raw.close();
    const newer = await expectCode(() => createOsvScanner({ path: file() }).status(), 'E_ADVISORIES_UNREADABLE');
    expect(newer.message).toContain('written by a newer pakt (schema 99');
  });

  it('an import waits for another import\'s lock, then fails with E_ADVISORIES_BUSY and changes nothing; reads go on', async () => {
    const s = createOsvScanner({ path: file(), busyTimeoutMs: 200 });
    await s.importRecords([record('X-1')], { importedAt: '2025-01-01T00:00:00.000Z' });
    const before = await s.status();
    const holder = new Database(file());
    holder.exec('BEGIN IMMEDIATE');
    try {
      await expectCode(() => s.importRecords([record('X-2')], { importedAt: '2025-01-02T00:00:00.000Z' }), 'E_ADVISORIES_BUSY');
      expect(await s.status()).toEqual(before);
      expect((await s.affecting('lodash', ['1.0.0'])).get('1.0.0')!.map((m) => m.id)).toEqual(['X-1']);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await s.importRecords([record('X-2')], { importedAt: '2025-01-02T00:00:00.000Z' });
    expect((await s.status())!.records).toBe(2);
    s.close();
  });

  it('a long-lived reader sees another connection\'s import at once (its cache follows the file)', async () => {
    const reader = createOsvScanner({ path: file() });
    const writer = createOsvScanner({ path: file() });
    await writer.importRecords([record('X-1')], { importedAt: '2025-01-01T00:00:00.000Z' });
    expect((await reader.affecting('lodash', ['1.0.0'])).get('1.0.0')!.map((m) => m.id)).toEqual(['X-1']);
    await writer.importRecords([{ ...record('X-1'), modified: '2025-02-01T00:00:00Z', withdrawn: '2025-02-01T00:00:00Z' } as OsvRecord, record('X-2', 'ws')], { importedAt: '2025-01-02T00:00:00.000Z' });
    expect((await reader.affecting('lodash', ['1.0.0'])).get('1.0.0')).toEqual([]);
    expect([...(await reader.affectedNames())]).toEqual(['ws']);
    reader.close();
    writer.close();
  });

  it('refuses an import without a valid importedAt, and bad options at construction', async () => {
    const s = createOsvScanner({ path: file() });
    await expectCode(() => s.importRecords([record('X-1')], { importedAt: 'yesterday' }), 'E_INVALID_ARGUMENT');
    s.close();
    await expectCode(() => createOsvScanner({ path: '' }), 'E_PROVIDER_OPTION');
    await expectCode(() => createOsvScanner({ path: file(), busyTimeoutMs: -1 }), 'E_PROVIDER_OPTION');
    await expectCode(() => createOsvScanner({ path: file(), synchronous: 'sometimes' as never }), 'E_PROVIDER_OPTION');
    await expectCode(() => createOsvScanner({ path: file(), cachedNames: 0 }), 'E_PROVIDER_OPTION');
  });
});

describe('importers killed at random moments', () => {
  let child: ChildBundle;
  beforeAll(async () => {
    child = await bundleChild('test/providers/scanner/osv/import.child.ts');
  });
  afterAll(async () => {
    await child?.dispose();
  });

  it('leave a sound database in which every import is whole or absent, every acknowledged one present, and the version matching the rows', async () => {
    const BATCH = 2000;
    const acknowledged: string[] = [];
    for (let round = 0; round < 6; round++) {
      const out = await killAtRandomAfterFirstLine(child.file, ['import-forever', file(), String(round), String(BATCH)], 600);
      for (const line of out.split('\n')) if (line.endsWith('}')) acknowledged.push(`${round}-${(JSON.parse(line) as { batch: number }).batch}`);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(6);
    const raw = new Database(file(), { readonly: true });
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const perBatch = new Map<string, number>();
      for (const { id } of raw.prepare('SELECT id FROM advisories').all() as Array<{ id: string }>) {
        const key = id.split('-').slice(1, 3).join('-');
        perBatch.set(key, (perBatch.get(key) ?? 0) + 1);
      }
      for (const [key, count] of perBatch) expect(count, `import ${key}`).toBe(BATCH);
      for (const key of acknowledged) expect(perBatch.get(key), `acknowledged import ${key}`).toBe(BATCH);
      const affectedRows = (raw.prepare('SELECT COUNT(*) AS n FROM affected').get() as { n: number }).n;
      expect(affectedRows).toBe(perBatch.size * BATCH);
      const hash = createHash('sha256');
      for (const r of raw.prepare('SELECT id, modified_key FROM advisories ORDER BY id').iterate() as IterableIterator<{ id: string; modified_key: string }>) hash.update(`${r.id}\t${r.modified_key}\n`);
      const version = (raw.prepare("SELECT value FROM db_state WHERE key = 'version'").get() as { value: string }).value;
      expect(version).toBe(`sha256:${hash.digest('hex')}`);
    } finally {
      raw.close();
    }
  });
});
