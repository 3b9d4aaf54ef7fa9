import { describe, expect, it } from 'vitest';
import { classifyEntry } from '../../src/package/entry-kind.js';

const unix = (mode: number) => (mode << 16) >>> 0;
const UNIX = 0x031e;
const NTFS = 0x0a3f;
const DOS = 0x0014;

describe('classifyEntry', () => {
  // [name, versionMadeBy, external attributes, kind or code]
  const table: Array<[string, number, number, string]> = [
    ['a.txt', UNIX, unix(0o100644), 'file'],
    ['a.txt', UNIX, 0, 'file'],
    ['bin/run', UNIX, unix(0o100755), 'file'],
    ['dir/', UNIX, unix(0o040755) | 0x10, 'folder'],
    ['dir/', UNIX, 0, 'folder'],
    ['a.txt', DOS, 0x20, 'file'],
    ['dir/', NTFS, 0x10, 'folder'],
    ['link', UNIX, unix(0o120777), 'E_PKG_SYMLINK'],
    ['link', 19 << 8, unix(0o120755), 'E_PKG_SYMLINK'],
    ['junction', NTFS, 0x410, 'E_PKG_SYMLINK'],
    ['fifo', UNIX, unix(0o010644), 'E_PKG_SPECIAL_FILE'],
    ['chr', UNIX, unix(0o020666), 'E_PKG_SPECIAL_FILE'],
    ['blk', UNIX, unix(0o060660), 'E_PKG_SPECIAL_FILE'],
    ['sock', UNIX, unix(0o140755), 'E_PKG_SPECIAL_FILE'],
    ['dir', UNIX, unix(0o040755), 'E_PKG_SPECIAL_FILE'],
    ['file/', UNIX, unix(0o100644), 'E_PKG_SPECIAL_FILE'],
    ['dir', NTFS, 0x10, 'E_PKG_SPECIAL_FILE'],
  ];
  it.each(table)('%j made by 0x%s with %s → %s', (name, made, attrs, expected) => {
    const kind = classifyEntry(name, made, attrs);
    expect(kind.kind === 'refused' ? kind.code : kind.kind).toBe(expected);
  });
});
