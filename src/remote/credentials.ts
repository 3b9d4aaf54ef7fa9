/**
 * Tokens for Pakt servers, in the Pakt credentials file the OCI storage provider also reads
 * ($PAKT_CREDENTIALS_FILE, else $XDG_CONFIG_HOME/pakt/credentials.json, else
 * ~/.config/pakt/credentials.json; mode 0600): `{"registries":{"<host:port>":{"registryToken":"…"}}}`.
 * Same shape and keys as providers/storage/oci/credentials.ts, so one file serves both; other
 * entries and top-level keys are kept as they are. No message ever holds a token.
 */
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { credentialsFileError, credentialsHostKey, paktCredentialsPath, readCredentialsJson } from '../util/credentials-file.js';

export const credentialsPath = paktCredentialsPath;
/** host[:port] of a URL, lowercased: the file's key, as the OCI provider writes it. */
export const hostKey = credentialsHostKey;

async function readFileJson(file: string): Promise<Record<string, unknown> | undefined> {
  const json = await readCredentialsJson(file, true);
  if (json === undefined) return undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw credentialsFileError(file, 'it is not a JSON object');
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
