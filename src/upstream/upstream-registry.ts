/**
 * A registry that reads through upstreams: a manager-level adapter over CoreRegistryManager. The
 * core stays unaware of upstreams (and of HTTP); this class answers every read from the local
 * store when it can, merges in what the upstreams list (their lists cached for a TTL), and pulls
 * an archive it lacks through: fetched, digest-checked, published into the local store and
 * marked as cached. Publishing and deleting stay local. Offline, it asks no upstream and lists
 * only versions whose archives the store holds.
 */
import os from 'node:os';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DocumentStore, MetadataProvider, SearchOptions, SearchResult, StorageProvider, VersionRecord, VersioningProvider } from '../contracts/index.js';
import { CoreRegistryManager } from '../core/registry-manager.js';
import { latestOf, sortHighestFirst } from '../core/lookup.js';
import type { DownloadResult, RegistryManagerOptions, VersionList } from '../core/types.js';
import { isRegistryError, RegistryError, toRegistryError } from '../errors.js';
import type { InstallSource } from '../install/types.js';
import { isLatestTag } from '../package/name-version.js';
import { dependencyTree, resolve } from '../resolve/index.js';
import type { DependencyTreeNode, Resolution, ResolveSource, RootRequirements, WithheldVersion } from '../resolve/types.js';
import { getMark, listMarks, deleteMark, putMark, TOUCH_INTERVAL_MS, type CachedMark } from './cached-marks.js';
import { pickFromList, UpstreamSet } from './upstream-set.js';

export interface UpstreamRegistryOptions extends RegistryManagerOptions {
  upstreams: UpstreamSet;
}

/** A version as the merged view sees it: where it lives. */
interface Located {
  record: VersionRecord;
  /** undefined: in this store (its archive present); else the upstream locations that list it. */
  upstreams?: string[];
}

export interface GcCachedOptions {
  /** Evict cached versions not read for this long. */
  olderThanMs?: number;
  /** Then evict the least recently used until the cached versions take at most this many bytes. */
  maxBytes?: number;
  dryRun?: boolean;
}

export interface GcCachedResult {
  dryRun: boolean;
  evicted: Array<{ name: string; version: string; size: number; upstream: string; lastUsedAt: string }>;
  bytesFreed: number;
  /** Cached versions kept, and their bytes. */
  kept: number;
  keptBytes: number;
}

export class UpstreamRegistry extends CoreRegistryManager {
  readonly upstreams: UpstreamSet;
  private readonly local: { metadata: MetadataProvider; storage: StorageProvider; versioning: VersioningProvider; docs: DocumentStore | undefined };
  private readonly pullTemp: string;
  private readonly pulls = new Map<string, Promise<void>>();

  constructor(options: UpstreamRegistryOptions) {
    super(options);
    this.upstreams = options.upstreams;
    this.local = { metadata: options.metadata, storage: options.storage, versioning: options.versioning, docs: options.metadata.documents };
    this.pullTemp = options.tempDir ?? options.storage.tempDir ?? path.join(os.tmpdir(), 'pakt-tmp');
  }

  get offline(): boolean {
    return this.upstreams.offline;
  }

  override async getPackageInfo(name: string, versionOrRange: string = 'latest'): Promise<VersionRecord> {
    return (await this.locate(name, versionOrRange)).record;
  }

  override async listVersions(name: string): Promise<VersionList> {
    const merged = await this.merged(name);
    if (merged.length === 0) throw await this.absence(name, undefined);
    const records = sortHighestFirst(merged.map((m) => m.record), this.local.versioning);
    return { name, latest: latestOf(records.map((r) => r.version), this.local.versioning)!, versions: records };
  }

  override async searchPackages(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const local = await super.searchPackages(query, options);
    if (this.offline) {
      const items = [];
      for (const item of local.items) if (await this.presentVersion(item.name, item.version)) items.push(item);
      return { ...local, total: local.total - (local.items.length - items.length), items };
    }
    const seen = new Set(local.items.map((i) => i.name));
    const items = [...local.items];
    let total = local.total;
    for (const { result } of await this.upstreams.searchAll(query, options)) {
      for (const item of result.items) {
        if (seen.has(item.name)) continue;
        seen.add(item.name);
        items.push(item);
        total++;
      }
    }
    items.sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score);
    return { ...local, total, items: items.slice(0, options.limit ?? items.length) };
  }

  override async downloadPackage(name: string, versionOrRange: string = 'latest'): Promise<Readable> {
    const record = await this.ensureLocal(name, versionOrRange);
    return super.downloadPackage(name, record.version);
  }

  override async downloadToFile(name: string, versionOrRange: string, file: string, options: { overwrite?: boolean } = {}): Promise<DownloadResult> {
    const record = await this.ensureLocal(name, versionOrRange);
    return super.downloadToFile(name, record.version, file, options);
  }

  override async resolveDependency(name: string, range: string = 'latest'): Promise<Resolution> {
    return this.resolveDependencies({ [name]: range });
  }

  override async resolveDependencies(root: RootRequirements): Promise<Resolution> {
    return resolve(root, this.resolveSource(), this.local.versioning);
  }

  override async getDependencyTree(name: string, range: string = 'latest'): Promise<DependencyTreeNode> {
    return dependencyTree(name, range, this.resolveSource(), this.local.versioning);
  }

  /**
   * Evicts cached (pulled-through) versions: those not read for `olderThanMs`, then the least
   * recently used until at most `maxBytes` remain. Authored versions are never touched.
   */
  async gcCached(options: GcCachedOptions = {}): Promise<GcCachedResult> {
    const docs = this.requireDocs();
    const now = Date.now();
    const live: Array<{ name: string; version: string; mark: CachedMark }> = [];
    for (const m of await listMarks(docs)) {
      const row = await this.local.metadata.getVersion(m.name, m.version);
      // A mark whose version is gone (deleted by hand), or was replaced by other bytes, is stale.
      if (!row || row.digest !== m.mark.digest) {
        if (!options.dryRun) await deleteMark(docs, m.name, m.version);
        continue;
      }
      live.push(m);
    }
    live.sort((a, b) => a.mark.lastUsedAt.localeCompare(b.mark.lastUsedAt));
    const evict = new Set<number>();
    if (options.olderThanMs !== undefined) live.forEach((m, i) => now - Date.parse(m.mark.lastUsedAt) >= options.olderThanMs! && evict.add(i));
    if (options.maxBytes !== undefined) {
      let bytes = live.reduce((sum, m, i) => sum + (evict.has(i) ? 0 : m.mark.size), 0);
      for (let i = 0; i < live.length && bytes > options.maxBytes; i++) {
        if (evict.has(i)) continue;
        evict.add(i);
        bytes -= live[i]!.mark.size;
      }
    }
    const result: GcCachedResult = { dryRun: options.dryRun === true, evicted: [], bytesFreed: 0, kept: 0, keptBytes: 0 };
    for (const [i, m] of live.entries()) {
      if (!evict.has(i)) {
        result.kept++;
        result.keptBytes += m.mark.size;
        continue;
      }
      if (!options.dryRun) {
        await this.deletePackage(m.name, m.version);
        await deleteMark(docs, m.name, m.version);
      }
      result.evicted.push({ name: m.name, version: m.version, size: m.mark.size, upstream: m.mark.upstream, lastUsedAt: m.mark.lastUsedAt });
      result.bytesFreed += m.mark.size;
    }
    return result;
  }

  /** True when name@version was pulled through from an upstream (not published here). */
  async isCached(name: string, version: string): Promise<boolean> {
    return this.local.docs ? (await getMark(this.local.docs, name, version)) !== undefined : false;
  }

  override async close(): Promise<void> {
    await Promise.allSettled([...this.pulls.values()]);
    await this.upstreams.close();
    await super.close();
  }

  protected override installSource(): InstallSource {
    return {
      ...super.installSource(),
      resolveSource: this.resolveSource(),
      getVersion: async (name, version) => {
        try {
          return (await this.locate(name, version)).record;
        } catch (err) {
          if (isMissing(err)) return undefined;
          throw err;
        }
      },
      downloadToFile: (name, version, file) => this.downloadToFile(name, version, file),
    };
  }

  /** The record for `versionOrRange` and where it lives; the coded absence otherwise. */
  private async locate(name: string, versionOrRange: string): Promise<Located> {
    // Fast path: an exact version present here needs no upstream and no listing.
    if (!isLatestTag(versionOrRange) && this.local.versioning.isValidVersion(versionOrRange)) {
      const row = await this.local.metadata.getVersion(name, versionOrRange);
      if (row && (await this.present(row))) return { record: row };
    }
    if (!isLatestTag(versionOrRange) && !this.local.versioning.isValidVersion(versionOrRange)) {
      // Let the core refuse a bad name or range with its own code and words.
      await super.getPackageInfo(name, versionOrRange).catch((err: unknown) => {
        if (!isMissing(err)) throw err;
      });
    }
    const merged = await this.merged(name);
    const list: VersionList = {
      name,
      latest: latestOf(merged.map((m) => m.record.version), this.local.versioning) ?? '',
      versions: merged.map((m) => m.record),
    };
    const picked = merged.length === 0 ? undefined : pickFromList(list, versionOrRange, this.local.versioning);
    if (!picked) throw await this.absence(name, versionOrRange);
    return merged.find((m) => m.record === picked)!;
  }

  /**
   * Every version of `name` this registry can serve: the store's own (present archives only),
   * then each upstream's versions the store lacks, in priority order. Offline: the store's only.
   * Online, when the store has none and every upstream failed, E_UPSTREAM_UNAVAILABLE.
   */
  private async merged(name: string): Promise<Located[]> {
    const localRows = await this.local.metadata.listVersions(name);
    const out: Located[] = [];
    const byVersion = new Map<string, Located>();
    for (const row of localRows) {
      if (!(await this.present(row))) continue;
      const at: Located = { record: row };
      out.push(at);
      byVersion.set(row.version, at);
    }
    if (this.offline) return out;
    const failures: string[] = [];
    for await (const outcome of this.upstreams.lists(name)) {
      if ('error' in outcome) {
        failures.push(`${outcome.upstream.location}: ${outcome.error.code} ${outcome.error.message}`);
        continue;
      }
      for (const record of outcome.list?.versions ?? []) {
        const known = byVersion.get(record.version);
        if (known) {
          if (known.upstreams && known.record.digest === record.digest) known.upstreams.push(outcome.upstream.location);
          continue;
        }
        const at: Located = { record, upstreams: [outcome.upstream.location] };
        out.push(at);
        byVersion.set(record.version, at);
      }
    }
    if (out.length === 0 && failures.length > 0 && failures.length === this.upstreams.upstreams.length) {
      throw new RegistryError('E_UPSTREAM_UNAVAILABLE', `'${name}' is not in this store, and every upstream failed: ${failures.join('; ')}`, { name, failures, retryable: true });
    }
    return out;
  }

  /** The error for "not here": E_NOT_IN_STORE naming an upstream known to have it, else the core's own. */
  private async absence(name: string, versionOrRange: string | undefined): Promise<RegistryError> {
    if (this.offline) {
      for await (const outcome of this.upstreams.lists(name)) {
        if ('error' in outcome || !outcome.list) continue;
        const hit = versionOrRange === undefined ? outcome.list.versions.find((r) => r.version === outcome.list!.latest) : pickFromList(outcome.list, versionOrRange, this.local.versioning);
        if (hit) {
          return new RegistryError(
            'E_NOT_IN_STORE',
            `${name} ${hit.version} is not in this store (offline); it is on ${outcome.upstream.location}`,
            { name, version: hit.version, upstream: outcome.upstream.location },
          );
        }
      }
    }
    try {
      await super.getPackageInfo(name, versionOrRange ?? 'latest');
    } catch (err) {
      return toRegistryError(err);
    }
    // The store has the row but not the archive (offline view leaves it out): say what is missing.
    return new RegistryError('E_NOT_IN_STORE', `${name}${versionOrRange ? ` ${versionOrRange}` : ''} is listed in this store but its archive is not present (run \`pakt verify\`)`, { name });
  }

  /** Makes the archive of `versionOrRange` present here (pulling it through), and returns its record. */
  private async ensureLocal(name: string, versionOrRange: string): Promise<VersionRecord> {
    const at = await this.locate(name, versionOrRange);
    if (!at.upstreams) {
      await this.touch(at.record);
      return at.record;
    }
    const key = `${name}@${at.record.version}`;
    let pending = this.pulls.get(key);
    if (!pending) {
      pending = this.pull(at.record, at.upstreams).finally(() => this.pulls.delete(key));
      this.pulls.set(key, pending);
    }
    await pending;
    return at.record;
  }

  /** Fetches from each upstream that lists it, in order, until one sends the right bytes. */
  private async pull(record: VersionRecord, upstreams: readonly string[]): Promise<void> {
    const failures: string[] = [];
    let integrity: RegistryError | undefined;
    for (const upstream of this.upstreams.upstreams.filter((u) => upstreams.includes(u.location))) {
      let file: { path: string } | undefined;
      try {
        file = await this.upstreams.fetchArchive(upstream, record, this.pullTemp, this.limits.maxArchiveBytes);
        const now = new Date().toISOString();
        const docs = this.local.docs;
        // The mark goes first: a crash after it leaves a mark without a version (gc --cached drops
        // it), never a cached version that looks authored.
        if (docs) await putMark(docs, record.name, record.version, { upstream: upstream.location, digest: record.digest, size: record.size, fetchedAt: now, lastUsedAt: now });
        const published = await this.publishPackage(file.path);
        if (published.digest !== record.digest) {
          throw new RegistryError('E_UPSTREAM_INTEGRITY', `${record.name}@${record.version} from ${upstream.location} is stored here with another digest`, { upstream: upstream.location });
        }
        this.upstreams.emit('pulled', { upstream: upstream.location, name: record.name, version: record.version, digest: record.digest, size: record.size });
        return;
      } catch (err) {
        const e = toRegistryError(err);
        if (e.code === 'E_UPSTREAM_INTEGRITY' || e.code === 'E_STORE_INTEGRITY' || e.code.startsWith('E_PKG_')) integrity = e.code === 'E_UPSTREAM_INTEGRITY' ? e : new RegistryError('E_UPSTREAM_INTEGRITY', `upstream ${upstream.location} sent ${record.name}@${record.version} as an invalid package (${e.code}: ${e.message}); nothing was kept`, { upstream: upstream.location });
        failures.push(`${upstream.location}: ${e.code} ${e.message}`);
        if (this.local.docs && !(await this.local.metadata.getVersion(record.name, record.version))) await deleteMark(this.local.docs, record.name, record.version).catch(() => undefined);
      } finally {
        if (file) await rm(file.path, { force: true }).catch(() => undefined);
      }
    }
    if (integrity && failures.length === 1) throw integrity;
    throw new RegistryError('E_UPSTREAM_UNAVAILABLE', `cannot fetch ${record.name}@${record.version} from any upstream: ${failures.join('; ')}`, { name: record.name, version: record.version, failures, retryable: true });
  }

  /** Records a read of a cached version, at most once a minute (so a hit stays a read). */
  private async touch(record: VersionRecord): Promise<void> {
    const docs = this.local.docs;
    if (!docs) return;
    const mark = await getMark(docs, record.name, record.version);
    if (!mark || Date.now() - Date.parse(mark.lastUsedAt) < TOUCH_INTERVAL_MS) return;
    await putMark(docs, record.name, record.version, { ...mark, lastUsedAt: new Date().toISOString() }).catch(() => undefined);
  }

  /** The resolver's view: merged versions online; offline, the store's, with upstream-only ones withheld. */
  private resolveSource(): ResolveSource {
    const rows = new Map<string, Promise<{ versions: Array<{ version: string; dependencies: Readonly<Record<string, string>> }>; withheld: WithheldVersion[] }>>();
    const of = (name: string) => {
      let pending = rows.get(name);
      if (!pending) {
        pending = (async () => {
          const merged = await this.merged(name).catch((err: unknown) => {
            if (isRegistryError(err, 'E_UPSTREAM_UNAVAILABLE')) return [] as Located[];
            throw err;
          });
          const versions = merged.map((m) => ({ version: m.record.version, dependencies: m.record.metadata.dependencies ?? {} }));
          const withheld: WithheldVersion[] = [];
          if (this.offline) {
            const have = new Set(versions.map((v) => v.version));
            for await (const outcome of this.upstreams.lists(name)) {
              if ('error' in outcome) continue;
              for (const r of outcome.list?.versions ?? []) {
                if (have.has(r.version)) continue;
                have.add(r.version);
                withheld.push({ version: r.version, reason: `not in this store; it is on ${outcome.upstream.location}`, absentFrom: outcome.upstream.location });
              }
            }
          }
          return { versions, withheld };
        })();
        rows.set(name, pending);
      }
      return pending;
    };
    return { versions: async (name) => (await of(name)).versions, withheld: async (name) => (await of(name)).withheld };
  }

  private async present(row: VersionRecord): Promise<boolean> {
    return (await this.local.storage.stat(row.digest)) !== undefined;
  }

  private async presentVersion(name: string, version: string): Promise<boolean> {
    const row = await this.local.metadata.getVersion(name, version);
    return row !== undefined && (await this.present(row));
  }

  private requireDocs(): DocumentStore {
    if (!this.local.docs) throw new RegistryError('E_PROVIDER_INCOMPATIBLE', 'the metadata provider has no documents facet, which the pull-through cache needs');
    return this.local.docs;
  }
}

function isMissing(err: unknown): boolean {
  return isRegistryError(err, 'E_PACKAGE_NOT_FOUND') || isRegistryError(err, 'E_VERSION_NOT_FOUND') || isRegistryError(err, 'E_NOT_IN_STORE');
}
