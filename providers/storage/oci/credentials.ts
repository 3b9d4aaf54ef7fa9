/**
 * Where the credentials for a registry come from, first found wins:
 *
 *   1. the `credentials` option of createOciStorage;
 *   2. the environment: PAKT_OCI_USERNAME and PAKT_OCI_PASSWORD;
 *   3. the Pakt credentials file, $PAKT_CREDENTIALS_FILE or $XDG_CONFIG_HOME/pakt/credentials.json
 *      (default ~/.config/pakt/credentials.json), mode 0600, of the shape
 *      `{ "registries": { "<host[:port]>": { "username": "…", "password": "…" } } }`
 *      (or `{ "identityToken": "…" }`, or `{ "registryToken": "…" }`); other top-level keys are
 *      left to other parts of Pakt;
 *   4. Docker's config, $DOCKER_CONFIG/config.json (default ~/.docker/config.json): a credential
 *      helper (`credHelpers`, `credsStore`), else `auths` with `auth` (base64 user:password) or
 *      `username`/`password`, `identitytoken`, `registrytoken`.
 *
 * Secrets never leave this module in a message: errors name the file and the entry, never a
 * value, and every secret is registered with the redactor that scrubs the errors of this provider.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { RegistryError } from '../../../src/errors.js';
import { credentialsFileError, credentialsHostKey, paktCredentialsPath, readCredentialsJson } from '../../../src/util/credentials-file.js';
import { DOCKER_HUB } from './reference.js';

export type OciCredentials =
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (what `docker login` keeps as identitytoken), traded for access tokens. */
  | { readonly identityToken: string }
  /** A bearer token sent as it is. */
  | { readonly registryToken: string };

export interface FoundCredentials {
  readonly credentials: OciCredentials | undefined;
  /** Where they came from, for messages (never the value): `environment`, a file and entry, a helper. */
  readonly source: string;
}

export interface CredentialSources {
  /** Explicit credentials, or 'anonymous' to send none (and read no file). */
  readonly explicit?: OciCredentials | 'anonymous';
  /** The environment: the variables above, and PATH for credential helpers. */
  readonly env: NodeJS.ProcessEnv;
  /** Override of the Pakt credentials file's path. */
  readonly paktCredentialsFile?: string;
  /** Override of Docker's config.json path. */
  readonly dockerConfigFile?: string;
  /** Bound on a credential helper's run, in ms. */
  readonly helperTimeoutMs?: number;
}

/** Collects secret strings and removes them from any text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (typeof secret === 'string' && secret.length >= 3) this.secrets.add(secret);
  }

  addCredentials(c: OciCredentials | undefined): void {
    if (!c) return;
    if ('password' in c) {
      this.add(c.password);
      this.add(Buffer.from(`${c.username}:${c.password}`).toString('base64'));
      this.add(encodeURIComponent(c.password));
    } else if ('identityToken' in c) this.add(c.identityToken);
    else this.add(c.registryToken);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /** Scrubs an error's message, details and cause chain in place, and returns it. */
  scrub<E>(err: E): E {
    if (this.secrets.size === 0) return err;
    const seen = new Set<unknown>();
    const walk = (e: unknown): void => {
      if (!(e instanceof Error) || seen.has(e)) return;
      seen.add(e);
      e.message = this.redact(e.message);
      if (typeof e.stack === 'string') e.stack = this.redact(e.stack);
      const details = (e as { details?: Record<string, unknown> }).details;
      if (details && typeof details === 'object') {
        for (const [k, v] of Object.entries(details)) if (typeof v === 'string') details[k] = this.redact(v);
      }
      walk((e as { cause?: unknown }).cause);
    };
    walk(err);
    return err;
  }
}

/** Lowercased host[:port] of a key written as a host, a URL (`https://host:port/v1/`) or Docker Hub's legacy names. */
export function registryKey(key: string): string {
  const k = credentialsHostKey(key);
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return DOCKER_HUB;
  return k;
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function entryCredentials(entry: unknown, where: string, file: string): OciCredentials | undefined {
  if (entry === undefined || entry === null) return undefined;
  if (typeof entry !== 'object' || Array.isArray(entry)) throw credentialsFileError(file, `${where} is not an object`);
  const e = entry as Record<string, unknown>;
  if (isNonEmptyString(e['username']) && isNonEmptyString(e['password'])) return { username: e['username'], password: e['password'] };
  const identity = e['identityToken'] ?? e['identitytoken'];
  if (isNonEmptyString(identity)) return { identityToken: identity };
  const registryToken = e['registryToken'] ?? e['registrytoken'];
  if (isNonEmptyString(registryToken)) return { registryToken };
  if (isNonEmptyString(e['auth'])) {
    const decoded = Buffer.from(e['auth'], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw credentialsFileError(file, `${where}.auth is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if ('username' in e || 'password' in e) throw credentialsFileError(file, `${where} needs both username and password`);
  return undefined;
}

export { paktCredentialsPath };

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  if (isNonEmptyString(env['DOCKER_CONFIG'])) return path.join(env['DOCKER_CONFIG'], 'config.json');
  return path.join(env['HOME'] ?? os.homedir(), '.docker', 'config.json');
}

function findEntry(map: unknown, registry: string, file: string, what: string): [string, unknown] | undefined {
  if (map === undefined) return undefined;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw credentialsFileError(file, `${what} is not an object`);
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    if (registryKey(key) === registry) return [key, value];
  }
  return undefined;
}

async function fromPaktFile(file: string, registry: string): Promise<FoundCredentials | undefined> {
  const json = await readCredentialsJson(file, true);
  if (json === undefined) return undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw credentialsFileError(file, 'it is not a JSON object');
  const found = findEntry((json as Record<string, unknown>)['registries'], registry, file, '"registries"');
  if (!found) return undefined;
  const credentials = entryCredentials(found[1], `registries["${found[0]}"]`, file);
  if (!credentials) throw credentialsFileError(file, `registries["${found[0]}"] has no username/password, identityToken or registryToken`);
  return { credentials, source: `${file} (registries["${found[0]}"])` };
}

/** Runs `docker-credential-<helper> get`, as Docker does; undefined when it has nothing for this registry. */
async function fromHelper(helper: string, serverUrl: string, timeoutMs: number, file: string, env: NodeJS.ProcessEnv): Promise<FoundCredentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) throw credentialsFileError(file, `credential helper name '${helper.slice(0, 40)}' is not a plain program name`);
  const program = `docker-credential-${helper}`;
  const result = await new Promise<{ code: number | null; out: string; spawnError?: Error }>((resolve) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'ignore'], env });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (out.length < 1024 * 1024) out += d;
    });
    child.on('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, out: '', spawnError });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
  if (result.spawnError) throw credentialsFileError(file, `its credential helper ${program} cannot be run (${(result.spawnError as NodeJS.ErrnoException).code ?? 'error'}); install it or remove it from the config`, result.spawnError);
  // Helpers answer "credentials not found" with a non-zero exit: nothing stored for this host.
  if (result.code !== 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.out);
  } catch {
    throw credentialsFileError(file, `its credential helper ${program} did not print JSON`);
  }
  const p = parsed as Record<string, unknown>;
  if (!isNonEmptyString(p['Secret'])) return undefined;
  const credentials: OciCredentials = p['Username'] === '<token>' || !isNonEmptyString(p['Username'])
    ? { identityToken: p['Secret'] }
    : { username: p['Username'], password: p['Secret'] };
  return { credentials, source: `credential helper ${program} (from ${file})` };
}

async function fromDockerConfig(file: string, registry: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<FoundCredentials | undefined> {
  const json = await readCredentialsJson(file, false);
  if (json === undefined) return undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw credentialsFileError(file, 'it is not a JSON object');
  const config = json as Record<string, unknown>;
  const serverUrl = registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
  const helperEntry = findEntry(config['credHelpers'], registry, file, '"credHelpers"');
  if (helperEntry && isNonEmptyString(helperEntry[1])) return fromHelper(helperEntry[1], serverUrl, timeoutMs, file, env);
  const found = findEntry(config['auths'], registry, file, '"auths"');
  const inline = found ? entryCredentials(found[1], `auths["${found[0]}"]`, file) : undefined;
  if (inline) return { credentials: inline, source: `${file} (auths["${found![0]}"])` };
  if (isNonEmptyString(config['credsStore'])) return fromHelper(config['credsStore'], serverUrl, timeoutMs, file, env);
  return undefined;
}

/** The credentials for `registry` (host[:port] as in references, `docker.io` for Docker Hub). */
export async function findCredentials(registry: string, sources: CredentialSources): Promise<FoundCredentials> {
  const key = registryKey(registry);
  if (sources.explicit === 'anonymous') return { credentials: undefined, source: 'anonymous (by option)' };
  if (sources.explicit) return { credentials: sources.explicit, source: 'the credentials option' };
  const env = sources.env;
  const user = env['PAKT_OCI_USERNAME'];
  const pass = env['PAKT_OCI_PASSWORD'];
  if (isNonEmptyString(user) || isNonEmptyString(pass)) {
    if (!isNonEmptyString(user) || !isNonEmptyString(pass)) {
      throw new RegistryError('E_REMOTE_CREDENTIALS_FILE', `only one of PAKT_OCI_USERNAME and PAKT_OCI_PASSWORD is set; set both, or neither`, { hint: 'Set both PAKT_OCI_USERNAME and PAKT_OCI_PASSWORD, or unset the one that is set.' });
    }
    return { credentials: { username: user, password: pass }, source: 'the environment (PAKT_OCI_USERNAME, PAKT_OCI_PASSWORD)' };
  }
  const pakt = await fromPaktFile(sources.paktCredentialsFile ?? paktCredentialsPath(env), key);
  if (pakt) return pakt;
  const docker = await fromDockerConfig(sources.dockerConfigFile ?? dockerConfigPath(env), key, sources.helperTimeoutMs ?? 10_000, env);
  if (docker) return docker;
  return { credentials: undefined, source: 'none found (environment, Pakt credentials file, Docker config)' };
}
