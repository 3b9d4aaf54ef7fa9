/**
 * Maps better-sqlite3 errors to coded ones. A raw SQLITE_* error never reaches the user: busy and
 * locked become E_META_BUSY (after the caller's retries), a damaged or foreign file E_META_CORRUPT,
 * disk and permission failures E_IO, anything else E_INTERNAL, always with the original as cause.
 */
import { RegistryError, type ErrorCode } from '../../src/errors.js';

export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function codeFor(sqlite: string): ErrorCode {
  if (sqlite.startsWith('SQLITE_BUSY') || sqlite.startsWith('SQLITE_LOCKED')) return 'E_META_BUSY';
  if (sqlite === 'SQLITE_NOTADB' || sqlite.startsWith('SQLITE_CORRUPT')) return 'E_META_CORRUPT';
  if (
    sqlite.startsWith('SQLITE_CANTOPEN') || sqlite.startsWith('SQLITE_READONLY') || sqlite.startsWith('SQLITE_IOERR') ||
    sqlite === 'SQLITE_FULL' || sqlite === 'SQLITE_PERM' || sqlite === 'SQLITE_AUTH'
  ) return 'E_IO';
  return 'E_INTERNAL';
}

/** Wraps `err` (raised while doing `what` on the database at `path`) into a RegistryError. */
export function toMetaError(err: unknown, path: string, what: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const sqlite = sqliteCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  if (sqlite === undefined) {
    const sys = (err as NodeJS.ErrnoException | undefined)?.code;
    return new RegistryError(sys ? 'E_IO' : 'E_INTERNAL', `metadata database ${path}: cannot ${what}: ${reason}`, { path, ...(sys ? { syscallCode: sys } : {}) }, { cause: err });
  }
  const code = codeFor(sqlite);
  const message =
    code === 'E_META_CORRUPT' ? `metadata database ${path} is damaged or not a SQLite database (${sqlite}: ${reason}); it was left untouched` :
    code === 'E_META_BUSY' ? `metadata database ${path} stayed locked by another process while trying to ${what} (${sqlite})` :
    `metadata database ${path}: cannot ${what}: ${reason} (${sqlite})`;
  return new RegistryError(code, message, { path, sqliteCode: sqlite }, { cause: err });
}
