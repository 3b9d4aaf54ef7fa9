/**
 * The upstreams of one store, asked in priority order: each with its health and circuit
 * breaker, a timeout on every request, and the TTL'd metadata cache in front. Knows nothing of
 * how a source talks to its upstream (a store on disk, a server over HTTP).
 */
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SearchOptions, SearchResult, VersionRecord, VersioningProvider } from '../contracts/index.js';
import type { VersionList } from '../core/types.js';
import { isRegistryError, RegistryError, toRegistryError } from '../errors.js';
import { isLatestTag } from '../package/name-version.js';
import { writeStreamToTempFile, type TempFile } from '../util/write-stream-to-temp.js';
import { UpstreamHealth } from './health.js';
import { MetadataCache, type CachedList } from './metadata-cache.js';
import { orderUpstreams } from './config.js';
import type { UpstreamConfig, UpstreamEvents, UpstreamSetOptions, UpstreamSource, UpstreamStats } from './types.js';

const DEFAULT_TTL_MS = 300_000;
const DEFAULT_TIMEOUT_MS = 10_000;

/** One upstream's answer to "which versions of `name`": its list, or why there is none. */
export type ListOutcome = { upstream: UpstreamConfig; list: VersionList | null; fromCache: boolean } | { upstream: UpstreamConfig; error: RegistryError };

export class UpstreamSet extends EventEmitter<UpstreamEvents> {
  readonly offline: boolean;
  private readonly ordered: UpstreamConfig[];
  private readonly health = new Map<string, UpstreamHealth>();
  private readonly sources = new Map<string, Promise<UpstreamSource>>();
  private readonly cache: MetadataCache;
  private readonly ttl: number;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: UpstreamSetOptions) {
    super();
    this.offline = options.offline === true;
    this.ordered = orderUpstreams(options.upstreams);
    this.ttl = options.metadataTtlMs ?? DEFAULT_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? Date.now;
    this.cache = new MetadataCache(options.cacheDir);
    for (const u of this.ordered) this.health.set(u.location, new UpstreamHealth(u, options.breakerThreshold ?? 3, options.breakerCooldownMs ?? 30_000, this.clock));
  }

  get upstreams(): readonly UpstreamConfig[] {
    return this.ordered;
  }

  stats(): UpstreamStats[] {
    return this.ordered.map((u) => this.health.get(u.location)!.stats());
  }

  /**
   * The version list of `name` from each upstream in order, until `enough` says stop. A fresh
   * cache entry answers without a request; offline, only cached entries answer (however old).
   */
  async *lists(name: string): AsyncGenerator<ListOutcome> {
    for (const upstream of this.ordered) {
      const h = this.health.get(upstream.location)!;
      const cached = await this.cache.get(upstream.location, name);
      if (this.offline) {
        if (cached) yield { upstream, list: cached.list, fromCache: true };
        continue;
      }
      if (cached && this.clock() - cached.fetchedAt < this.ttl) {
        h.cacheHits++;
        yield { upstream, list: cached.list, fromCache: true };
        continue;
      }
      h.cacheMisses++;
      try {
        const list = await this.call(upstream, 'versions', async (source) => {
          try {
            return await source.listVersions(name);
          } catch (err) {
            if (isRegistryError(err, 'E_PACKAGE_NOT_FOUND')) return null;
            throw err;
          }
        });
        const entry: CachedList = { fetchedAt: this.clock(), list };
        await this.cache.set(upstream.location, name, entry).catch(() => undefined);
        yield { upstream, list, fromCache: false };
      } catch (err) {
        yield { upstream, error: toRegistryError(err) };
      }
    }
  }

  /** Fetches one archive into a temp file in `tempDir`, checking its digest and size against `record`. */
  async fetchArchive(upstream: UpstreamConfig, record: VersionRecord, tempDir: string, maxBytes: number): Promise<TempFile> {
    return this.call(upstream, 'download', async (source) => {
      const stream = await withTimeout(source.downloadPackage(record.name, record.version), this.timeoutMs, `upstream ${upstream.location} did not start sending ${record.name}@${record.version} within ${this.timeoutMs} ms`);
      const guarded = idleTimeout(this.timeoutMs, upstream.location);
      // pipeline carries an error of either side to the other and leaves none unhandled.
      pipeline(stream, guarded).catch(() => undefined);
      const file = await writeStreamToTempFile(guarded, tempDir, { maxBytes });
      if (file.digest !== record.digest || file.size !== record.size) {
        await rm(file.path, { force: true });
        throw new RegistryError(
          'E_UPSTREAM_INTEGRITY',
          `upstream ${upstream.location} sent ${record.name}@${record.version} as ${file.size} bytes of ${file.digest}, but announced ${record.size} bytes of ${record.digest}; nothing was kept`,
          { upstream: upstream.location, name: record.name, version: record.version, expected: record.digest, found: file.digest },
        );
      }
      return file;
    }, 'download');
  }

  /** Search results of each upstream that answers (failures are recorded and skipped). */
  async searchAll(query: string, options: SearchOptions): Promise<Array<{ upstream: UpstreamConfig; result: SearchResult }>> {
    if (this.offline) return [];
    const out: Array<{ upstream: UpstreamConfig; result: SearchResult }> = [];
    for (const upstream of this.ordered) {
      try {
        out.push({ upstream, result: await this.call(upstream, 'search', (s) => s.searchPackages(query, options)) });
      } catch {
        // recorded in its health; search shows what the others found
      }
    }
    return out;
  }

  /** Asks each upstream for a package that cannot exist, to measure it; offline: nothing is asked. */
  async probe(): Promise<UpstreamStats[]> {
    if (!this.offline) {
      for (const upstream of this.ordered) {
        await this.call(upstream, 'probe', async (s) => {
          try {
            await s.listVersions('pakt-health-probe');
          } catch (err) {
            if (!isRegistryError(err, 'E_PACKAGE_NOT_FOUND')) throw err;
          }
        }, 'probe').catch(() => undefined);
      }
    }
    return this.stats();
  }

  async close(): Promise<void> {
    const sources = [...this.sources.values()];
    this.sources.clear();
    for (const s of sources) await s.then((src) => src.close(), () => undefined).catch(() => undefined);
  }

  /**
   * Runs one request against an upstream: refused at once when its circuit is open, failed with
   * E_UPSTREAM_UNAVAILABLE after the timeout, recorded in its health either way. Errors that are
   * answers (not found, integrity) are passed on as they are.
   */
  private async call<T>(upstream: UpstreamConfig, operation: string, work: (source: UpstreamSource) => Promise<T>, mode: 'answer' | 'download' | 'probe' = 'answer'): Promise<T> {
    if (this.offline) throw new RegistryError('E_NOT_IN_STORE', `offline: ${upstream.location} is not asked`, { upstream: upstream.location });
    const h = this.health.get(upstream.location)!;
    if (mode !== 'probe' && !h.admit()) {
      throw new RegistryError('E_UPSTREAM_UNAVAILABLE', `upstream ${upstream.location} is skipped: its circuit is open after ${h.consecutiveFailures} failures in a row (last: ${h.stats().lastError ?? 'unknown'})`, { retryable: true });
    }
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const source = await this.source(upstream);
      // A download is bounded by its idle timeout instead (a large archive may take long, but never stall).
      const result = mode === 'download'
        ? await work(source)
        : await Promise.race([
            work(source),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new RegistryError('E_UPSTREAM_UNAVAILABLE', `upstream ${upstream.location} did not answer ${operation} within ${this.timeoutMs} ms`, { retryable: true })), this.timeoutMs);
              timer.unref();
            }),
          ]);
      const latencyMs = performance.now() - started;
      if (h.succeeded(latencyMs)) this.emit('circuit', { upstream: upstream.location, state: 'closed' });
      this.emit('success', { upstream: upstream.location, operation, latencyMs });
      return result;
    } catch (err) {
      const e = toRegistryError(err);
      if (h.failed(`${e.code} ${e.message}`)) this.emit('circuit', { upstream: upstream.location, state: 'open' });
      this.emit('failure', { upstream: upstream.location, operation, code: e.code, message: e.message });
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private source(upstream: UpstreamConfig): Promise<UpstreamSource> {
    let pending = this.sources.get(upstream.location);
    if (!pending) {
      pending = this.options.open(upstream);
      pending.catch(() => this.sources.delete(upstream.location)); // try to open it again next time
      this.sources.set(upstream.location, pending);
    }
    return pending;
  }
}

/** The version a list gives for `versionOrRange`, or undefined. */
export function pickFromList(list: VersionList, versionOrRange: string, versioning: VersioningProvider): VersionRecord | undefined {
  if (isLatestTag(versionOrRange)) return list.versions.find((r) => r.version === list.latest);
  const exact = list.versions.find((r) => r.version === versionOrRange);
  if (exact) return exact;
  if (!versioning.isValidRange(versionOrRange)) return undefined;
  const picked = versioning.maxSatisfying(list.versions.map((r) => r.version), versionOrRange);
  return picked === null ? undefined : list.versions.find((r) => r.version === picked);
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RegistryError('E_UPSTREAM_UNAVAILABLE', message, { retryable: true })), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Fails a stream that sends nothing for `ms` (an upstream that stalls mid-download). */
function idleTimeout(ms: number, location: string): Transform {
  let timer: NodeJS.Timeout | undefined;
  const t: Transform = new Transform({
    transform(chunk, _enc, done) {
      arm();
      done(null, chunk);
    },
    flush(done) {
      if (timer) clearTimeout(timer);
      done();
    },
    destroy(err, done) {
      if (timer) clearTimeout(timer);
      done(err);
    },
  });
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => t.destroy(new RegistryError('E_UPSTREAM_UNAVAILABLE', `upstream ${location} stopped sending for ${ms} ms mid-download`, { retryable: true })), ms);
    timer.unref();
  };
  arm();
  return t;
}
