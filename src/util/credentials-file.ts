/**
 * The Pakt credentials file, shared by the remote client (tokens for Pakt servers) and the OCI
 * storage provider (registry credentials): where it is, how its keys name a host, and how it is
 * read — a private (mode 0600) regular file of JSON, whose parse errors never quote its text.
 */
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RegistryError } from '../errors.js';

/** $PAKT_CREDENTIALS_FILE, else $XDG_CONFIG_HOME/pakt/credentials.json, else ~/.config/pakt/credentials.json. */
export function paktCredentialsPath(env: NodeJS.ProcessEnv): string {
  if (env['PAKT_CREDENTIALS_FILE']) return env['PAKT_CREDENTIALS_FILE'];
  const base = env['XDG_CONFIG_HOME'] ? env['XDG_CONFIG_HOME'] : path.join(env['HOME'] ?? os.homedir(), '.config');
  return path.join(base, 'pakt', 'credentials.json');
}

/** Lowercased host[:port] of a key written as a host or a URL (`https://host:port/v1/`). */
export function credentialsHostKey(key: string): string {
  return key.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split('/')[0] ?? '';
}

export function credentialsFileError(file: string, why: string, cause?: unknown): RegistryError {
  return new RegistryError('E_REMOTE_CREDENTIALS_FILE', `credentials file ${file} cannot be used: ${why}`, { path: file }, cause === undefined ? undefined : { cause });
}

/** The file's JSON, or undefined when it does not exist; `requirePrivate` refuses a file others may read or write. */
export async function readCredentialsJson(file: string, requirePrivate: boolean): Promise<unknown | undefined> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw credentialsFileError(file, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  if (!info.isFile()) throw credentialsFileError(file, 'it is not a regular file');
  if (requirePrivate && (info.mode & 0o077) !== 0) {
    throw credentialsFileError(file, `it is readable or writable by other users (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); credentials files must be mode 0600`);
  }
  if (info.size > 4 * 1024 * 1024) throw credentialsFileError(file, 'it is larger than 4 MiB');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw credentialsFileError(file, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the text around the fault, which may be a secret.
    throw credentialsFileError(file, 'it is not valid JSON');
  }
}
