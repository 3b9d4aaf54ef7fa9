/**
 * The store's upstream list, kept in `<store>/upstreams.json` so that it travels with the store
 * folder: `{"upstreams":[{"location","priority","tokenEnv"?}]}`, written atomically.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { UpstreamConfig } from './types.js';

export const UPSTREAMS_FILE = 'upstreams.json';
export const DEFAULT_PRIORITY = 100;

/** Reads the list (empty when the file does not exist), ordered as it is asked: by priority. */
export async function readUpstreams(storeDir: string): Promise<UpstreamConfig[]> {
  const file = path.join(storeDir, UPSTREAMS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RegistryError('E_UPSTREAM_CONFIG', `cannot read ${file}: ${(err as Error).message}`, { path: file });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RegistryError('E_UPSTREAM_CONFIG', `${file} is not valid JSON: ${(err as Error).message}`, { path: file });
  }
  const list = (parsed as { upstreams?: unknown } | null)?.upstreams;
  if (!Array.isArray(list)) throw new RegistryError('E_UPSTREAM_CONFIG', `${file} has no "upstreams" array`, { path: file });
  try {
    return orderUpstreams(list.map((u: unknown) => normalizeUpstream(u as UpstreamConfig)));
  } catch (err) {
    throw new RegistryError('E_UPSTREAM_CONFIG', `${file}: ${(err as Error).message}`, { path: file });
  }
}

export async function writeUpstreams(storeDir: string, upstreams: readonly UpstreamConfig[]): Promise<void> {
  const body = { upstreams: orderUpstreams(upstreams).map((u) => ({ location: u.location, priority: u.priority, ...(u.tokenEnv ? { tokenEnv: u.tokenEnv } : {}) })) };
  await writeFileAtomic(path.join(storeDir, UPSTREAMS_FILE), JSON.stringify(body, null, 2) + '\n');
}

/** Lowest priority number first; equal priorities keep their order (a stable sort). */
export function orderUpstreams(upstreams: readonly UpstreamConfig[]): UpstreamConfig[] {
  return [...upstreams].sort((a, b) => a.priority - b.priority);
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * Checks one upstream and puts it in its canonical form: a URL without a trailing slash, or an
 * absolute folder (relative to `cwd`). E_UPSTREAM_INVALID names what is wrong.
 */
export function normalizeUpstream(input: { location?: unknown; priority?: unknown; tokenEnv?: unknown }, cwd: string = process.cwd()): UpstreamConfig {
  const { location, priority = DEFAULT_PRIORITY, tokenEnv } = input ?? {};
  if (typeof location !== 'string' || location.trim() === '' || location.includes('\0')) {
    throw new RegistryError('E_UPSTREAM_INVALID', 'an upstream needs a location: an http(s) URL or a store folder');
  }
  let canonical: string;
  if (isUrl(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new RegistryError('E_UPSTREAM_INVALID', `'${location.slice(0, 200)}' is not a valid URL`);
    }
    if (url.username !== '' || url.password !== '') {
      // Never echo the URL: it holds a credential.
      throw new RegistryError('E_UPSTREAM_INVALID', `an upstream URL must not carry credentials (${url.protocol}//***@${url.host}); give the token with --token-env VAR`);
    }
    canonical = url.toString().replace(/\/+$/, '');
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new RegistryError('E_UPSTREAM_INVALID', `'${location.slice(0, 200)}' is neither an http(s) URL nor a folder`);
  } else {
    canonical = path.resolve(cwd, location);
  }
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 1000) {
    throw new RegistryError('E_UPSTREAM_INVALID', `priority must be a whole number from 0 to 1000, got ${JSON.stringify(priority)}`);
  }
  if (tokenEnv !== undefined && (typeof tokenEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(tokenEnv))) {
    throw new RegistryError('E_UPSTREAM_INVALID', `--token-env must name an environment variable (letters, digits, _), got ${JSON.stringify(String(tokenEnv).slice(0, 40))}`);
  }
  return { location: canonical, priority, ...(tokenEnv !== undefined ? { tokenEnv } : {}) };
}
