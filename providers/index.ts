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
}

/** True when `dir` holds a pakt store. */
export function isStore(dir: string): boolean {
  return existsSync(path.join(path.resolve(dir), METADATA_FILE));
}

/**
 * Opens (or creates) the store at a folder with the embedded defaults:
 * `openRegistry('./.pakt')` or `openRegistry({ path: './.pakt', limits: { ... } })`.
 */
export async function openRegistry(pathOrOptions: string | OpenRegistryOptions): Promise<CoreRegistryManager> {
  const options: OpenRegistryOptions = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of openRegistry: the store folder, e.g. ./.pakt');
  }
  if (options.create === false && !isStore(options.path)) {
    throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store at ${path.resolve(options.path)}`, { path: path.resolve(options.path) });
  }
  const providers = defaultProviders(options);
  let registry: CoreRegistryManager;
  try {
    registry = new CoreRegistryManager({
      ...providers,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.actor !== undefined ? { actor: options.actor } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (err) {
    for (const p of [providers.metadata, providers.storage, ...providers.audit]) await p.close?.();
    throw err;
  }
  return registry;
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
