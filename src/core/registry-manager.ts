/**
 * CoreRegistryManager: the registry, wired from explicit providers (SPEC §5). It owns no I/O of
 * its own: every operation is a pipeline of named steps in this folder (publish.ts, download.ts,
 * delete.ts, verify.ts, gc.ts, rebuild.ts) run against the providers it was given.
 *
 *   const registry = new CoreRegistryManager({ metadata, storage, versioning, validation, search });
 *   registry.on('published', (r) => console.log(r.name, r.version));
 *
 * openRegistry() (providers/index.ts) builds one from the embedded defaults.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type {
  MetadataProvider,
  Provider,
  SearchOptions,
  SearchResult,
  VersionRecord,
  VersioningProvider,
} from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { CoreContext } from './context.js';
import { deletePipeline } from './delete.js';
import { dependentsOf } from './dependents.js';
import { downloadPipeline, downloadToFilePipeline } from './download.js';
import { gcPipeline } from './gc.js';
import { assertName, findVersion, pickLatest, sortHighestFirst } from './lookup.js';
import { checkProvider } from './provider-check.js';
import { publishPipeline, validatePipeline } from './publish.js';
import { rebuildPipeline } from './rebuild.js';
import { getDependencyTree, metadataSource, resolveDependencies, resolveDependency } from './resolution.js';
import { installPackages, listInstalled, removeInstalled, upgradeInstalled } from '../install/index.js';
import type { InstalledList, InstallHooks, InstallOptions, InstallResult, InstallSource, ListInstalledOptions, RemoveOptions, UpgradeOptions } from '../install/types.js';
import type { DependencyTreeNode, Resolution, RootRequirements } from '../resolve/types.js';
import { SearchFreshness } from './search-freshness.js';
import { allSearchDocuments } from './search-sync.js';
import type {
  DeletedVersion,
  Dependent,
  DownloadResult,
  GcOptions,
  GcResult,
  ProgressCallback,
  PublishInput,
  PublishResult,
  RebuildResult,
  RegistryEvents,
  RegistryManagerOptions,
  ValidateResult,
  VerifyResult,
  VersionList,
} from './types.js';
import { verifyPipeline } from './verify.js';
import { TempArea } from './temp-area.js';

export class CoreRegistryManager extends EventEmitter<RegistryEvents> {
  readonly limits: Limits;
  private readonly ctx: CoreContext;
  private searchBuild: Promise<void> | undefined;
  private readonly freshness: SearchFreshness;
  private closed = false;
  /** Publishes under way, so that close() can end them (a stream that never ends would hold it forever). */
  private readonly publishing = new Set<{ input: PublishInput; settled: Promise<void> }>();

  constructor(options: RegistryManagerOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new RegistryError('E_PROVIDER_MISSING', 'CoreRegistryManager needs an options object { metadata, storage, versioning, validation, search }');
    }
    checkProvider('metadata', options.metadata);
    checkProvider('storage', options.storage);
    checkProvider('versioning', options.versioning);
    checkProvider('validation', options.validation);
    checkProvider('search', options.search);
    const audit = options.audit ?? [];
    audit.forEach((sink, i) => checkProvider('audit', sink, `audit[${i}]`));
    this.limits = resolveLimits(options.limits);
    const tempRoot = options.tempDir ?? options.storage.tempDir ?? path.join(os.tmpdir(), 'pakt-tmp');
    this.ctx = {
      metadata: options.metadata,
      storage: options.storage,
      versioning: options.versioning,
      validation: options.validation,
      search: options.search,
      auditSinks: [...audit],
      limits: this.limits,
      clock: options.clock ?? (() => new Date()),
      actor: options.actor ?? defaultActor(),
      temp: new TempArea(tempRoot),
      searchBarrier: () => this.searchBuild,
    };
    this.freshness = new SearchFreshness(this.ctx, () => this.startSearchBuild(true));
  }

  /** The metadata and versioning providers, for the resolver (src/core/resolution.ts). */
  get resolveContext(): { metadata: MetadataProvider; versioning: VersioningProvider } {
    return { metadata: this.ctx.metadata, versioning: this.ctx.versioning };
  }

  /**
   * Readies the search index: a non-persistent one (or an empty persistent one while the
   * metadata has packages) is rebuilt from the metadata. searchPackages() does this on first use;
   * call open() to pay the cost up front.
   */
  async open(): Promise<void> {
    this.assertOpen();
    await this.ensureSearch();
  }

  /** Validates and stores a package archive (a path, its bytes, or a stream). */
  async publishPackage(input: PublishInput): Promise<PublishResult> {
    this.assertOpen();
    const running = publishPipeline(this.ctx, input);
    const entry = { input, settled: running.then(() => undefined, () => undefined) };
    this.publishing.add(entry);
    let outcome;
    try {
      outcome = await running;
    } finally {
      this.publishing.delete(entry);
    }
    const { result, steps } = outcome;
    if (result.status === 'published') this.emit('published', result);
    this.emit('publishSteps', { name: result.name, version: result.version, steps });
    return result;
  }

  /** Checks an archive as publish would, storing nothing. */
  async validatePackage(input: PublishInput): Promise<ValidateResult> {
    this.assertOpen();
    return validatePipeline(this.ctx, input);
  }

  /** One version's record: an exact version, a range, or `latest` (the default). */
  async getPackageInfo(name: string, versionOrRange: string = 'latest'): Promise<VersionRecord> {
    this.assertOpen();
    return findVersion(this.ctx, name, versionOrRange);
  }

  /** Every version of a package, highest first, with its latest. */
  async listVersions(name: string): Promise<VersionList> {
    this.assertOpen();
    assertName(name, this.limits);
    const records = await this.ctx.metadata.listVersions(name);
    const latest = pickLatest(records, this.ctx.versioning);
    if (!latest) throw new RegistryError('E_PACKAGE_NOT_FOUND', `package '${name}' is not in the registry`, { name });
    return { name, latest: latest.version, versions: sortHighestFirst(records, this.ctx.versioning) };
  }

  async searchPackages(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    this.assertOpen();
    await this.ensureSearch();
    await this.freshness.catchUp(); // what other processes published or deleted meanwhile
    const q = typeof query === 'string' ? query.slice(0, this.limits.maxQueryChars) : '';
    return this.ctx.search.search(q, options);
  }

  /**
   * A stream of the archive's bytes, verified against its digest as they flow; it fails with
   * E_STORE_INTEGRITY rather than end cleanly on bytes that do not match.
   */
  async downloadPackage(name: string, versionOrRange: string = 'latest'): Promise<Readable> {
    this.assertOpen();
    return downloadPipeline(this.ctx, name, versionOrRange, { onDownloaded: (r) => this.emitDownloaded(r) });
  }

  /**
   * Writes the archive to `file`, which appears only once every byte was verified. An existing
   * file is replaced unless `overwrite` is false (then E_OUTPUT_EXISTS, and it is left as it was).
   */
  async downloadToFile(name: string, versionOrRange: string, file: string, options: { overwrite?: boolean } = {}): Promise<DownloadResult> {
    this.assertOpen();
    const r = await downloadToFilePipeline(this.ctx, name, versionOrRange, file, { onDownloaded: (rec) => this.emitDownloaded(rec) }, options.overwrite ?? true);
    return { name: r.name, version: r.version, digest: r.digest, size: r.size, file: path.resolve(file) };
  }

  /** One version per package for `name` at `range` and all its dependencies (SPEC §3). */
  async resolveDependency(name: string, range: string = 'latest'): Promise<Resolution> {
    this.assertOpen();
    return resolveDependency(this.resolveContext, name, range);
  }

  /** One version per package for a root map of name → range. */
  async resolveDependencies(root: RootRequirements): Promise<Resolution> {
    this.assertOpen();
    return resolveDependencies(this.resolveContext, root);
  }

  /** The resolved dependency tree of `name` at `range`. */
  async getDependencyTree(name: string, range: string = 'latest'): Promise<DependencyTreeNode> {
    this.assertOpen();
    return getDependencyTree(this.resolveContext, name, range);
  }

  /** Deletes one version, or every version when `version` is omitted; audited. */
  async deletePackage(name: string, version?: string): Promise<DeletedVersion[]> {
    this.assertOpen();
    return deletePipeline(this.ctx, name, version, (d) => this.emit('deleted', d));
  }

  /**
   * The stored versions of other packages that depend on `name` through one of `versions` (default:
   * every version of it), with what would still satisfy them once those are gone: what a delete
   * would break. Reads every stored version's dependencies.
   */
  async findDependents(name: string, versions?: readonly string[]): Promise<Dependent[]> {
    this.assertOpen();
    assertName(name, this.limits);
    const removing = versions ?? (await this.ctx.metadata.listVersions(name)).map((r) => r.version);
    return dependentsOf(this.ctx, name, removing);
  }

  /** Re-hashes every stored archive; reports (and quarantines) corrupt ones and lists missing ones. */
  async verify(options: { onProgress?: ProgressCallback } = {}): Promise<VerifyResult> {
    this.assertOpen();
    return verifyPipeline(this.ctx, options.onProgress);
  }

  /** Removes archives no version refers to, and temp leftovers of dead processes. */
  async gc(options: GcOptions & { onProgress?: ProgressCallback } = {}): Promise<GcResult> {
    this.assertOpen();
    return gcPipeline(this.ctx, options, options.onProgress);
  }

  /** Adds to the metadata every version found in the stored archives; never removes a row. */
  async rebuildMetadata(options: { onProgress?: ProgressCallback } = {}): Promise<RebuildResult> {
    this.assertOpen();
    return rebuildPipeline(this.ctx, options.onProgress);
  }

  /**
   * Installs packages into a host folder (docs/install.md): resolves, downloads each version
   * verified, extracts each into `<into>/<name>/` whole or not at all, and records the result in
   * `<into>/pakt-lock.json`. With `frozen`, installs exactly what the lockfile says.
   * Emits 'installed' and 'uninstalled' per package once the change is committed.
   */
  async install(options: InstallOptions): Promise<InstallResult> {
    this.assertOpen();
    return installPackages(this.installSource(), options, this.installHooks());
  }

  /** What `<into>` holds, by its lockfile, each folder checked (re-hashed with `verify`). */
  async listInstalled(options: ListInstalledOptions | string): Promise<InstalledList> {
    this.assertOpen();
    return listInstalled({ versioning: this.ctx.versioning, ...(typeof options === 'string' ? { into: options } : options) }, this.limits);
  }

  /** Moves installed packages (named, or all) to the highest versions their requirements allow. */
  async upgradeInstalled(options: UpgradeOptions): Promise<InstallResult> {
    this.assertOpen();
    return upgradeInstalled(this.installSource(), options, this.installHooks());
  }

  /** Removes installed root requirements, and the dependencies nothing else needs. */
  async removeInstalled(options: RemoveOptions): Promise<InstallResult> {
    this.assertOpen();
    return removeInstalled(this.installSource(), options, this.installHooks());
  }

  /** Closes every provider (each once). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.publishing) {
      if (p.input instanceof Readable) p.input.destroy(new RegistryError('E_CLOSED', 'the registry was closed while this package was being published; nothing was stored'));
    }
    await Promise.all([...this.publishing].map((p) => p.settled));
    await this.searchBuild?.catch(() => undefined);
    const { metadata, storage, versioning, validation, search, auditSinks } = this.ctx;
    const seen = new Set<Provider>();
    const errors: string[] = [];
    for (const p of [search, validation, versioning, storage, metadata, ...auditSinks] as Provider[]) {
      if (seen.has(p)) continue;
      seen.add(p);
      try {
        await p.close?.();
      } catch (err) {
        errors.push(`${p.info.family}/${p.info.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (errors.length > 0) throw new RegistryError('E_IO', `closing the registry: ${errors.join('; ')}`, { providers: errors });
  }

  /** This registry as the source installs read from. */
  protected installSource(): InstallSource {
    return {
      resolveSource: metadataSource(this.ctx.metadata),
      versioning: this.ctx.versioning,
      limits: this.limits,
      getVersion: (name, version) => this.ctx.metadata.getVersion(name, version),
      downloadToFile: (name, version, file) => this.downloadToFile(name, version, file),
    };
  }

  private installHooks(): InstallHooks {
    return { onInstalled: (e) => this.emit('installed', e), onUninstalled: (e) => this.emit('uninstalled', e) };
  }

  private emitDownloaded(r: VersionRecord): void {
    this.emit('downloaded', { name: r.name, version: r.version, digest: r.digest, size: r.size });
  }

  private ensureSearch(): Promise<void> {
    return this.searchBuild ?? this.startSearchBuild(false);
  }

  /** Starts a build as the one search writes wait for (ctx.searchBarrier). */
  private startSearchBuild(force: boolean): Promise<void> {
    this.searchBuild = this.buildSearch(force).catch((err: unknown) => {
      this.searchBuild = undefined; // let the next call try again
      throw err;
    });
    return this.searchBuild;
  }

  /**
   * Builds the index from the metadata; a persistent index that already has documents is kept
   * unless `force` (the change feed no longer reaches back to where it was up to).
   */
  private async buildSearch(force: boolean): Promise<void> {
    const { search, metadata } = this.ctx;
    // The feed's position first: whatever is written while the metadata is read comes after it,
    // so the next search applies it rather than missing it.
    await this.freshness.follow();
    if (search.capabilities.persistent && !force) {
      if ((await search.size()) > 0 || (await metadata.listPackageNames()).length === 0) return;
    }
    await search.rebuild(await allSearchDocuments(this.ctx));
  }

  private assertOpen(): void {
    if (this.closed) throw new RegistryError('E_CLOSED', 'this registry was closed; open a new one with openRegistry()');
  }
}

function defaultActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}
