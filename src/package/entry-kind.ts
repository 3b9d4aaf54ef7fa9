/**
 * What kind of thing an entry is, from its name and its external attributes. A package holds
 * regular files and folders only: symbolic links (the classic "extract outside the target"
 * trick), devices, FIFOs and sockets are refused, as is a mode that contradicts the name.
 */
import type { PackageErrorCode } from '../errors.js';

const HOST_UNIX = 3;
const HOST_OSX = 19;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DOS_DIRECTORY = 0x10;
/** FILE_ATTRIBUTE_REPARSE_POINT: how Windows tools mark symbolic links and junctions. */
const DOS_REPARSE_POINT = 0x400;

export type EntryKind = { kind: 'file' | 'folder' } | { kind: 'refused'; code: PackageErrorCode; message: string };

const TYPE_NAMES: Record<number, string> = {
  0o010000: 'a FIFO',
  0o020000: 'a character device',
  0o060000: 'a block device',
  0o140000: 'a socket',
};

export function classifyEntry(name: string, versionMadeBy: number, externalAttributes: number): EntryKind {
  const isFolder = name.endsWith('/');
  const host = versionMadeBy >>> 8;
  const shown = JSON.stringify(name);
  if (host === HOST_UNIX || host === HOST_OSX) {
    const mode = (externalAttributes >>> 16) & 0xffff;
    const type = mode & S_IFMT;
    if (type === S_IFLNK) return { kind: 'refused', code: 'E_PKG_SYMLINK', message: `entry ${shown} is a symbolic link (mode ${mode.toString(8)})` };
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      return { kind: 'refused', code: 'E_PKG_SPECIAL_FILE', message: `entry ${shown} is ${TYPE_NAMES[type] ?? `of file type ${type.toString(8)}`} (mode ${mode.toString(8)}); only regular files and folders are allowed` };
    }
    if (type === S_IFDIR && !isFolder) return { kind: 'refused', code: 'E_PKG_SPECIAL_FILE', message: `entry ${shown} has a folder mode but its name does not end in '/'` };
    if (type === S_IFREG && isFolder) return { kind: 'refused', code: 'E_PKG_SPECIAL_FILE', message: `entry ${shown} ends in '/' but has a regular-file mode` };
  }
  const dos = externalAttributes & 0xffff;
  if (dos & DOS_REPARSE_POINT) return { kind: 'refused', code: 'E_PKG_SYMLINK', message: `entry ${shown} is marked as a Windows reparse point (a symbolic link or junction)` };
  if (dos & DOS_DIRECTORY && !isFolder) return { kind: 'refused', code: 'E_PKG_SPECIAL_FILE', message: `entry ${shown} has the folder attribute but its name does not end in '/'` };
  return { kind: isFolder ? 'folder' : 'file' };
}
