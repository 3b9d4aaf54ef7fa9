/**
 * The options of createOciStorage, checked once: a typo or a bad value is E_PROVIDER_OPTION at
 * construction, never a surprise at the first publish.
 */
import { tmpdir } from 'node:os';
import { RegistryError } from '../../../src/errors.js';
import type { OciCredentials } from './credentials.js';
import { isRepositoryPath, isLoopbackHost, hostOf, parseRegistryUrl, type RegistryLocation } from './reference.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry.js';

const MiB = 1024 * 1024;

export interface OciStorageOptions {
  /**
   * Where the archives go: `oci://host[:port]/namespace` (https; plain http to a loopback host,
   * as Docker does for localhost registries), or `http://…` / `https://…` to say it outright.
   * The path is the namespace: package `demo` lives in repository `<namespace>/demo`.
   */
  url: string;
  /** Replaces the URL's namespace (a repository path such as `pakt` or `my-org/pakt`). */
  namespace?: string;
  /**
   * The credentials: `'auto'` (default) looks in the environment (PAKT_OCI_USERNAME,
   * PAKT_OCI_PASSWORD), the Pakt credentials file, then Docker's config.json (docs/scale-out.md);
   * `'anonymous'` sends none; or give them here.
   */
  credentials?: 'auto' | 'anonymous' | OciCredentials;
  /** Where 'auto' looks; defaults are the process environment and the usual file paths. */
  credentialSources?: {
    env?: NodeJS.ProcessEnv;
    paktCredentialsFile?: string;
    dockerConfigFile?: string;
  };
  /** https only: extra CA certificates (PEM), and `insecureSkipVerify` to accept any certificate (a test registry). */
  tls?: {
    ca?: string | Buffer | ReadonlyArray<string | Buffer>;
    insecureSkipVerify?: boolean;
  };
  /**
   * Allows plain http (registry and token realm) to a host that is not loopback. Off by default:
   * credentials and archives would cross the network unencrypted.
   */
  plainHttp?: boolean;
  /** Archives up to this size are uploaded in one request (default 8 MiB). */
  monolithicMaxBytes?: number;
  /** Larger archives go in chunks of this size, each resumable (default 32 MiB). */
  chunkBytes?: number;
  timeouts?: {
    /** To open a connection (default 10,000 ms). */
    connectMs?: number;
    /** With no byte sent or received (default 60,000 ms). */
    idleMs?: number;
  };
  /** Retries of network failures and 408/429/5xx answers: tries, backoff, overall bound (retry.ts). */
  retry?: Partial<RetryPolicy>;
  /** Connections per registry host (default 16). */
  maxConnections?: number;
  /** Manifests read at once by list() (default 8). */
  listConcurrency?: number;
  /** A folder for the short-lived copy quarantine() makes of a damaged blob (default: the OS temp folder). */
  tempDir?: string;
}

export interface ResolvedOciOptions {
  readonly location: RegistryLocation;
  readonly credentials: 'auto' | 'anonymous' | OciCredentials;
  readonly env: NodeJS.ProcessEnv;
  readonly paktCredentialsFile: string | undefined;
  readonly dockerConfigFile: string | undefined;
  readonly ca: string | Buffer | ReadonlyArray<string | Buffer> | undefined;
  readonly rejectUnauthorized: boolean;
  readonly plainHttp: boolean;
  readonly monolithicMaxBytes: number;
  readonly chunkBytes: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly maxConnections: number;
  readonly listConcurrency: number;
  readonly tempDir: string;
}

const KNOWN = new Set(['url', 'namespace', 'credentials', 'credentialSources', 'tls', 'plainHttp', 'monolithicMaxBytes', 'chunkBytes', 'timeouts', 'retry', 'maxConnections', 'listConcurrency', 'tempDir']);

function optionError(name: string, why: string): RegistryError {
  return new RegistryError('E_PROVIDER_OPTION', `option ${name} of the OCI storage ${why}`, { option: name });
}

function positiveInt(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) throw optionError(name, `must be an integer of at least ${min}, got ${String(value)}`);
  return value as number;
}

export function resolveOciOptions(options: OciStorageOptions): ResolvedOciOptions {
  if (typeof options !== 'object' || options === null) throw optionError('url', 'is required: createOciStorage({ url: "oci://host:port/namespace" })');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw optionError(key, `is not known (known: ${[...KNOWN].join(', ')})`);
  if (typeof options.url !== 'string') throw optionError('url', 'is required: createOciStorage({ url: "oci://host:port/namespace" })');
  let location = parseRegistryUrl(options.url);
  if (options.namespace !== undefined) {
    if (typeof options.namespace !== 'string' || !isRepositoryPath(options.namespace)) throw optionError('namespace', 'must be a repository path: lowercase components joined by /');
    location = { ...location, namespace: options.namespace };
  }
  const plainHttp = options.plainHttp ?? false;
  if (typeof plainHttp !== 'boolean') throw optionError('plainHttp', 'must be true or false');
  if (location.scheme === 'http' && !plainHttp && !isLoopbackHost(hostOf(location.endpoint))) {
    throw optionError('url', `asks for plain http to ${location.endpoint}, which is not this machine; use https, or pass plainHttp: true if this network is trusted`);
  }
  const credentials = options.credentials ?? 'auto';
  if (credentials !== 'auto' && credentials !== 'anonymous') {
    const c = credentials as Record<string, unknown>;
    const ok = typeof c === 'object' && c !== null && (
      (typeof c['username'] === 'string' && typeof c['password'] === 'string' && c['username'] !== '' && c['password'] !== '')
      || (typeof c['identityToken'] === 'string' && c['identityToken'] !== '')
      || (typeof c['registryToken'] === 'string' && c['registryToken'] !== ''));
    // The value is not shown: it may be a secret.
    if (!ok) throw optionError('credentials', "must be 'auto', 'anonymous', { username, password }, { identityToken } or { registryToken }, with non-empty strings");
  }
  const monolithicMaxBytes = positiveInt(options.monolithicMaxBytes, 'monolithicMaxBytes', 8 * MiB, 0);
  const chunkBytes = positiveInt(options.chunkBytes, 'chunkBytes', 32 * MiB, 1024);
  const tls = options.tls ?? {};
  if (tls.insecureSkipVerify !== undefined && typeof tls.insecureSkipVerify !== 'boolean') throw optionError('tls.insecureSkipVerify', 'must be true or false');
  if (options.tempDir !== undefined && (typeof options.tempDir !== 'string' || options.tempDir === '')) throw optionError('tempDir', 'must be a folder path');
  return {
    location,
    credentials,
    env: options.credentialSources?.env ?? process.env,
    paktCredentialsFile: options.credentialSources?.paktCredentialsFile,
    dockerConfigFile: options.credentialSources?.dockerConfigFile,
    ca: tls.ca,
    rejectUnauthorized: !(tls.insecureSkipVerify ?? false),
    plainHttp,
    monolithicMaxBytes,
    chunkBytes,
    connectTimeoutMs: positiveInt(options.timeouts?.connectMs, 'timeouts.connectMs', 10_000),
    idleTimeoutMs: positiveInt(options.timeouts?.idleMs, 'timeouts.idleMs', 60_000),
    retry: resolveRetryPolicy(options.retry, optionError),
    maxConnections: positiveInt(options.maxConnections, 'maxConnections', 16),
    listConcurrency: positiveInt(options.listConcurrency, 'listConcurrency', 8),
    tempDir: options.tempDir ?? tmpdir(),
  };
}
