/** Upstream registries and the pull-through cache (docs/upstreams.md). */
export { UpstreamRegistry, type GcCachedOptions, type GcCachedResult, type UpstreamRegistryOptions } from './upstream-registry.js';
export { UpstreamSet } from './upstream-set.js';
export { readUpstreams, writeUpstreams, normalizeUpstream, orderUpstreams, isUrl, UPSTREAMS_FILE, DEFAULT_PRIORITY } from './config.js';
export { CACHED_KIND, type CachedMark } from './cached-marks.js';
export type { UpstreamConfig, UpstreamEvents, UpstreamSetOptions, UpstreamSource, UpstreamStats } from './types.js';
