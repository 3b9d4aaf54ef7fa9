/**
 * The composition root: the ONLY place that picks the default implementations. openRegistry()
 * wires them into a CoreRegistryManager; a host that wants other providers builds the manager
 * itself, or takes defaultProviders() and replaces the ones it wants.
 *
 * A store on disk (the embedded default) is one folder:
 *
 *   <path>/registry.db      metadata (SQLite, WAL)
 *   <path>/content-v1/...   archives, content-addressed (see docs/storage-format.md)
 *   <path>/tmp/             in-flight writes
 *   <path>/quarantine/      archives that failed verification
 *   <path>/audit.log        one JSON line per operation, hash-chained
 *   <path>/advisories.db    the advisory database (created by the first `advisories import`)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type {
  AuditSink,
  MetadataProvider,
  SearchProvider,
  StorageProvider,
  ValidationProvider,
  VersioningProvider,
} from '../src/contracts/index.js';
import { CoreRegistryManager } from '../src/core/registry-manager.js';
import { RegistryError } from '../src/errors.js';
import type { Limits } from '../src/limits.js';
import { createPinoAudit } from './audit/pino.js';
import { createSqliteMetadata } from './metadata/sqlite.js';
import { createIndexedSearch } from './search/indexed.js';
import { createFsStorage } from './storage/fs-cas.js';
import { createOsvScanner, type OsvScanner } from './scanner/osv/index.js';
import { createZipValidator } from './validation/zip.js';
import { isUrl, normalizeUpstream, readUpstreams, UpstreamRegistry, UpstreamSet, type UpstreamConfig, type UpstreamSetOptions, type UpstreamSource } from '../src/upstream/index.js';
import { readToken, RemoteRegistry } from '../src/remote/index.js';
import { createSemverVersioning } from './versioning/semver.js';

export interface DefaultProviderOptions {
  /** The store folder. */
  path: string;
  limits?: Partial<Limits>;
  /**
   * fsync archives and the database so a publish survives a power cut (default true). Off only
   * for throwaway stores: a crash of the process is survived either way, a power cut is not.
   */
  fsync?: boolean;
  /** Write the audit log at `<path>/audit.log` (default true). */
  audit?: boolean;
}

export interface DefaultProviders {
  metadata: MetadataProvider;
  storage: StorageProvider;
  versioning: VersioningProvider;
  validation: ValidationProvider;
  search: SearchProvider;
  audit: AuditSink[];
}

export const METADATA_FILE = 'registry.db';
export const AUDIT_FILE = 'audit.log';

/** The embedded defaults for a store at `options.path`. */
export function defaultProviders(options: DefaultProviderOptions): DefaultProviders {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of defaultProviders: the store folder');
  }
  const root = path.resolve(options.path);
  const durable = options.fsync ?? true;
  const storage = createFsStorage({ root, fsync: durable });
  let metadata: MetadataProvider;
  try {
    metadata = createSqliteMetadata({ path: path.join(root, METADATA_FILE), synchronous: durable ? 'full' : 'normal' });
  } catch (err) {
    void storage.close?.();
    throw err;
  }
  return {
    metadata,
    storage,
    versioning: createSemverVersioning(),
    validation: createZipValidator({ limits: options.limits ?? {} }),
    search: createIndexedSearch({ limits: options.limits ?? {} }),
    audit: options.audit === false ? [] : [createPinoAudit({ file: path.join(root, AUDIT_FILE) })],
  };
}

export interface OpenRegistryOptions extends DefaultProviderOptions {
  /** Who acts, for the audit log (default: the OS user). */
  actor?: string;
  /** Injected clock (tests). */
  clock?: () => Date;
  /**
   * Create the store if it does not exist (default true). The CLI passes false for every command
   * but `init`, so a mistyped --store is an error rather than a new empty store.
   */
  create?: boolean;
  /**
   * Upstream registries to read through (docs/upstreams.md): a URL of a Pakt server or a store
   * folder, or `{ location, priority?, tokenEnv? }`. Default: the store's upstreams.json.
   */
  upstreams?: Array<string | { location: string; priority?: number; tokenEnv?: string }>;
  /** Ask no upstream at all; listings show only what the store holds (default: PAKT_OFFLINE=1). */
  offline?: boolean;
  /** Tuning of the upstreams: metadata TTL, timeouts, circuit breaker. */
  upstreamOptions?: Pick<UpstreamSetOptions, 'metadataTtlMs' | 'timeoutMs' | 'breakerThreshold' | 'breakerCooldownMs'>;
}

/** openRegistry({ url, token }): the remote client of a Pakt server. */
export interface RemoteOpenOptions {
  url: string;
  /** Bearer token; default PAKT_TOKEN, else the credentials file's entry for the URL's host. */
  token?: string;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

/** The remote client with its token found: the option, PAKT_TOKEN, the credentials file. */
export async function openRemoteRegistry(options: RemoteOpenOptions, env: NodeJS.ProcessEnv = process.env): Promise<RemoteRegistry> {
  const token = options.token ?? (env['PAKT_TOKEN'] ? env['PAKT_TOKEN'] : await readToken(options.url, env));
  return new RemoteRegistry({ ...options, ...(token !== undefined ? { token } : {}), versioning: createSemverVersioning() });
}

/** True when `dir` holds a pakt store. */
export function isStore(dir: string): boolean {
  return existsSync(path.join(path.resolve(dir), METADATA_FILE));
}

/**
 * Opens (or creates) the store at a folder with the embedded defaults:
 * `openRegistry('./.pakt')` or `openRegistry({ path: './.pakt', limits: { ... } })`.
 */
export async function openRegistry(options: RemoteOpenOptions): Promise<RemoteRegistry>;
export async function openRegistry(pathOrOptions: string | OpenRegistryOptions): Promise<CoreRegistryManager>;
export async function openRegistry(pathOrOptions: string | OpenRegistryOptions | RemoteOpenOptions): Promise<CoreRegistryManager | RemoteRegistry> {
  if (typeof pathOrOptions === 'object' && pathOrOptions !== null && 'url' in pathOrOptions && typeof pathOrOptions.url === 'string') {
    return openRemoteRegistry(pathOrOptions);
  }
  const options = (typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions) as OpenRegistryOptions;
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of openRegistry: the store folder, e.g. ./.pakt');
  }
  if (options.create === false && !isStore(options.path)) {
    throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store at ${path.resolve(options.path)}`, { path: path.resolve(options.path) });
  }
  const root = path.resolve(options.path);
  const upstreams = options.upstreams !== undefined ? options.upstreams.map((u) => normalizeUpstream(typeof u === 'string' ? { location: u } : u)) : await readUpstreams(root);
  const offline = options.offline ?? process.env['PAKT_OFFLINE'] === '1';
  const providers = defaultProviders(options);
  let registry: CoreRegistryManager;
  try {
    const managerOptions = {
      ...providers,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.actor !== undefined ? { actor: options.actor } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    };
    registry = upstreams.length === 0 && !offline
      ? new CoreRegistryManager(managerOptions)
      : new UpstreamRegistry({
          ...managerOptions,
          upstreams: new UpstreamSet({ upstreams, offline, open: openUpstream, cacheDir: path.join(root, 'upstream-cache'), ...options.upstreamOptions }),
        });
  } catch (err) {
    for (const p of [providers.metadata, providers.storage, ...providers.audit]) await p.close?.();
    throw err;
  }
  return registry;
}

/** Opens one upstream: a store folder read-only (no audit, no upstreams of its own), or a server. */
async function openUpstream(config: UpstreamConfig): Promise<UpstreamSource> {
  if (isUrl(config.location)) {
    const token = config.tokenEnv ? process.env[config.tokenEnv] : undefined;
    return openRemoteRegistry({ url: config.location, ...(token ? { token } : {}) });
  }
  if (!isStore(config.location)) throw new RegistryError('E_UPSTREAM_INVALID', `upstream ${config.location} holds no pakt store`);
  return openRegistry({ path: config.location, create: false, audit: false, upstreams: [], offline: false });
}

export const ADVISORIES_FILE = 'advisories.db';

/**
 * The default scanner of a store: OSV records in `<path>/advisories.db` (its own file, so a long
 * import never holds registry.db's write lock; see providers/scanner/osv/database.ts). Reading
 * never creates the file; the first import does.
 */
export function defaultScanner(options: { path: string; fsync?: boolean }): OsvScanner {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of defaultScanner: the store folder');
  }
  return createOsvScanner({ path: path.join(path.resolve(options.path), ADVISORIES_FILE), synchronous: options.fsync === false ? 'normal' : 'full' });
}

export { createFsStorage, createIndexedSearch, createOsvScanner, createPinoAudit, createSemverVersioning, createSqliteMetadata, createZipValidator };
