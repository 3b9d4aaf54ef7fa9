/**
 * The shapes of upstream registries: what a store reads through when it cannot answer a read
 * itself. An upstream is anything with the registry's read API (another store's
 * CoreRegistryManager, the remote client of a Pakt server), so this folder knows nothing of HTTP.
 */
import type { Readable } from 'node:stream';
import type { SearchOptions, SearchResult } from '../contracts/index.js';
import type { VersionList } from '../core/types.js';

/** The reads an upstream answers: the registry API's own names, so a registry is a source as it is. */
export interface UpstreamSource {
  /** Every version, highest first; E_PACKAGE_NOT_FOUND when it has none. */
  listVersions(name: string): Promise<VersionList>;
  /** The archive of one exact version (the caller checks the digest again). */
  downloadPackage(name: string, version: string): Promise<Readable>;
  searchPackages(query: string, options?: SearchOptions): Promise<SearchResult>;
  close(): Promise<void>;
}

/** One upstream as configured (upstreams.json, or openRegistry({ upstreams })). */
export interface UpstreamConfig {
  /** An http(s) URL of a Pakt server, or the absolute folder of a store on disk. */
  location: string;
  /** Lower is asked first (default 100); ties keep the order of the list. */
  priority: number;
  /** The environment variable holding the bearer token for a server (never the token itself). */
  tokenEnv?: string;
}

/** What the manager-level adapter is given. */
export interface UpstreamSetOptions {
  /** Opens the source of one upstream; called once, on first use. */
  open: (config: UpstreamConfig) => Promise<UpstreamSource>;
  upstreams: readonly UpstreamConfig[];
  /** No upstream is asked at all; listings show only what the store holds (default false). */
  offline?: boolean;
  /** How long an upstream's version list is trusted before it is asked again (default 300,000 ms). */
  metadataTtlMs?: number;
  /** Per request to an upstream, before it counts as failed (default 10,000 ms). */
  timeoutMs?: number;
  /** Consecutive failures that open an upstream's circuit (default 3). */
  breakerThreshold?: number;
  /** How long an open circuit skips the upstream before one trial request (default 30,000 ms). */
  breakerCooldownMs?: number;
  /** Folder for the persisted metadata cache (the store's upstream-cache/); none: memory only. */
  cacheDir?: string;
  clock?: () => number;
}

/** Health and statistics of one upstream, as `pakt upstream health` shows them. */
export interface UpstreamStats {
  location: string;
  priority: number;
  /** closed: asked normally; open: skipped after repeated failures; half-open: one trial allowed. */
  circuit: 'closed' | 'open' | 'half-open';
  requests: number;
  failures: number;
  consecutiveFailures: number;
  lastSuccess?: string;
  lastFailure?: string;
  lastError?: string;
  /** Mean latency of the successful requests, ms. */
  meanLatencyMs?: number;
  /** Reads answered from the metadata cache without asking this upstream. */
  cacheHits: number;
  cacheMisses: number;
  /** cacheHits / (cacheHits + cacheMisses), or null before the first read. */
  cacheHitRate: number | null;
}

/** Events for host applications (registry.upstreams.on(...)). */
export interface UpstreamEvents {
  /** An upstream answered a request. */
  success: [{ upstream: string; operation: string; latencyMs: number }];
  /** An upstream failed a request (and the read fell through to the next, if any). */
  failure: [{ upstream: string; operation: string; code: string; message: string }];
  /** An archive was fetched from an upstream, verified and kept in the store as cached. */
  pulled: [{ upstream: string; name: string; version: string; digest: string; size: number }];
  /** An upstream's circuit opened (it is skipped) or closed again. */
  circuit: [{ upstream: string; state: 'open' | 'closed' }];
}
