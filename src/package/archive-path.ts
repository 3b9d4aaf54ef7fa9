/**
 * The path rules of SPEC §1 for names inside a package archive: relative, `/`-separated,
 * NFC-normalised UTF-8; no empty, `.` or `..` segment, no leading `/`, no `\`, no drive letter,
 * no NUL or control character; at most limits.maxPathBytes bytes; unique case-insensitively.
 *
 * Used on archive entries by the validator, on manifest keys, and on folder contents by `pack`,
 * so the three can never disagree.
 */
import type { PackageErrorCode } from '../errors.js';

export interface PathProblem {
  code: PackageErrorCode;
  message: string;
}

/** C0 controls, DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE = /^[A-Za-z]:/;

/**
 * Shown in messages: the path with control characters and combining marks made visible (so
 * `café` and `cafe\u0301` look different), and cut if very long.
 */
export function showPath(path: string): string {
  const visible = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
  return visible.slice(1, -1).replace(/\p{M}/gu, (mark) => `\\u${mark.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * Every rule `path` breaks (empty when it is fine). `path` is a decoded name; a folder entry's
 * trailing `/` must already be removed (pass `isFolder` so messages can say so).
 */
export function checkArchivePath(path: string, maxPathBytes: number): PathProblem[] {
  const problems: PathProblem[] = [];
  // Built only when a message needs it: most paths break no rule.
  const shown = (): string => `'${showPath(path)}'`;
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > maxPathBytes) {
    // Long paths are refused before any other rule looks at them.
    return [{ code: 'E_PKG_PATH_TOO_LONG', message: `path ${showPath(path.slice(0, 80))}… is ${bytes} bytes, max is ${maxPathBytes} (limits.maxPathBytes)` }];
  }
  if (CONTROL.test(path)) {
    problems.push({ code: 'E_PKG_PATH_CONTROL_CHAR', message: `path ${shown()} contains a NUL or control character` });
  }
  if (path.includes('\\')) {
    problems.push({ code: 'E_PKG_PATH_BACKSLASH', message: `path ${shown()} contains a backslash; paths are '/'-separated` });
  }
  if (path.startsWith('/') || DRIVE.test(path)) {
    problems.push({ code: 'E_PKG_PATH_ABSOLUTE', message: `path ${shown()} is absolute; paths are relative to the package root` });
  }
  const segments = path.split('/');
  if (segments.includes('..')) {
    problems.push({ code: 'E_PKG_PATH_TRAVERSAL', message: `path ${shown()} has a '..' segment` });
  }
  if (path === '') {
    problems.push({ code: 'E_PKG_PATH_SEGMENT_INVALID', message: 'an entry has an empty path' });
  } else if (segments.some((s, i) => s === '.' || (s === '' && !(i === 0 && path.startsWith('/'))))) {
    problems.push({ code: 'E_PKG_PATH_SEGMENT_INVALID', message: `path ${shown()} has an empty or '.' segment` });
  }
  if (path.normalize('NFC') !== path) {
    problems.push({ code: 'E_PKG_PATH_NOT_NFC', message: `path ${shown()} is not NFC-normalised (its NFC form is '${showPath(path.normalize('NFC'))}')` });
  }
  return problems;
}

/**
 * The key two paths collide on: NFC, then a full case fold (upper then lower, so `ß`/`SS` and
 * `ſ`/`s` collide as they do on case-insensitive file systems).
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}
