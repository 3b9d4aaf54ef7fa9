import { describe, expect, it } from 'vitest';
import { isBusy, toMetaError } from '../../../providers/metadata/sqlite-errors.js';
import { RegistryError } from '../../../src/errors.js';

const sqliteError = (code: string) => Object.assign(new Error(`${code} happened`), { code });

describe('sqlite error mapping', () => {
  it.each([
    ['SQLITE_BUSY', 'E_META_BUSY'],
    ['SQLITE_BUSY_SNAPSHOT', 'E_META_BUSY'],
    ['SQLITE_LOCKED', 'E_META_BUSY'],
    ['SQLITE_NOTADB', 'E_META_CORRUPT'],
    ['SQLITE_CORRUPT', 'E_META_CORRUPT'],
    ['SQLITE_CORRUPT_INDEX', 'E_META_CORRUPT'],
    ['SQLITE_CANTOPEN', 'E_IO'],
    ['SQLITE_READONLY_DBMOVED', 'E_IO'],
    ['SQLITE_IOERR_FSYNC', 'E_IO'],
    ['SQLITE_FULL', 'E_IO'],
    ['SQLITE_CONSTRAINT_CHECK', 'E_INTERNAL'],
  ])('%s → %s, keeping the cause and naming the file', (sqlite, code) => {
    const cause = sqliteError(sqlite);
    const err = toMetaError(cause, '/s/registry.db', 'insert a@1');
    expect(err.code).toBe(code);
    expect(err.cause).toBe(cause);
    expect(err.details).toMatchObject({ path: '/s/registry.db', sqliteCode: sqlite });
    expect(err.message).toContain('/s/registry.db');
  });

  it('maps OS errors to E_IO, passes coded errors through, and knows what is busy', () => {
    expect(toMetaError(Object.assign(new Error('denied'), { code: 'EACCES' }), '/db', 'create its folder').code).toBe('E_IO');
    expect(toMetaError(new Error('odd'), '/db', 'x').code).toBe('E_INTERNAL');
    const coded = new RegistryError('E_META_SCHEMA_NEWER', 'newer');
    expect(toMetaError(coded, '/db', 'x')).toBe(coded);
    expect(isBusy(sqliteError('SQLITE_BUSY_RECOVERY'))).toBe(true);
    expect(isBusy(sqliteError('SQLITE_FULL'))).toBe(false);
    expect(isBusy(new Error('plain'))).toBe(false);
  });
});
