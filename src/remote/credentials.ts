/**
 * Tokens for Pakt servers, in the Pakt credentials file the OCI storage provider also reads
 * ($PAKT_CREDENTIALS_FILE, else $XDG_CONFIG_HOME/pakt/credentials.json, else
 * ~/.config/pakt/credentials.json; mode 0600): `{"registries":{"<host:port>":{"registryToken":"…"}}}`.
 * Same shape and keys as providers/storage/oci/credentials.ts, so one file serves both; other
 * entries and top-level keys are kept as they are. No message ever holds a token.
 */
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RegistryError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  if (env['PAKT_CREDENTIALS_FILE']) return env['PAKT_CREDENTIALS_FILE'];
  const base = env['XDG_CONFIG_HOME'] ? env['XDG_CONFIG_HOME'] : path.join(env['HOME'] ?? os.homedir(), '.config');
  return path.join(base, 'pakt', 'credentials.json');
}

/** host[:port] of a URL, lowercased: the file's key, as the OCI provider writes it. */
export function hostKey(url: string): string {
  return url.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split('/')[0] ?? '';
}

function fileError(file: string, why: string): RegistryError {
  return new RegistryError('E_REMOTE_CREDENTIALS_FILE', `credentials file ${file} cannot be used: ${why}`, { path: file });
}

async function readFileJson(file: string): Promise<Record<string, unknown> | undefined> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(file, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if ((info.mode & 0o077) !== 0) throw fileError(file, `it is readable or writable by other users (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); credentials files must be mode 0600`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw fileError(file, 'it is not valid JSON'); // the parser's message may quote a secret
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fileError(file, 'it is not a JSON object');
  return json as Record<string, unknown>;
}

/** The stored token for `url`, or undefined. */
export async function readToken(url: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = credentialsPath(env);
  const json = await readFileJson(file);
  const entry = (json?.['registries'] as Record<string, { registryToken?: unknown }> | undefined)?.[hostKey(url)];
  return typeof entry?.registryToken === 'string' && entry.registryToken !== '' ? entry.registryToken : undefined;
}

/** Stores (or with `token` undefined, removes) the token for `url`; true when something changed. */
export async function writeToken(url: string, token: string | undefined, env: NodeJS.ProcessEnv): Promise<boolean> {
  const file = credentialsPath(env);
  const json = (await readFileJson(file)) ?? {};
  const registries = { ...((json['registries'] as Record<string, unknown> | undefined) ?? {}) };
  const key = hostKey(url);
  const had = key in registries;
  if (token === undefined) delete registries[key];
  else registries[key] = { registryToken: token };
  if (token === undefined && !had) return false;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify({ ...json, registries }, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return true;
}
