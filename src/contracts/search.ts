import type { Provider } from './provider.js';

/** One package as the search index sees it: its latest version's fields. */
export interface SearchDocument {
  name: string;
  version: string;
  description?: string;
  author?: string;
  tags?: string[];
  capabilities?: string[];
  /** Popularity signal: downloads (the registry's own count, or a host's seed). */
  downloads?: number;
}

export interface SearchOptions {
  /** Default 20. */
  limit?: number;
  /** Default 0. */
  offset?: number;
  /** Filters: a package must carry this tag / author / capability (exact, case-insensitive). */
  tag?: string;
  author?: string;
  capability?: string;
}

export interface SearchHit {
  name: string;
  version: string;
  description: string;
  /** Above 0 for every hit, higher for a better match; comparable within one result set only. */
  score: number;
  /** The query is exactly this package's name. */
  exact: boolean;
}

export interface SearchResult {
  /** Matches before pagination; stable for the same query, filters and index. */
  total: number;
  items: SearchHit[];
}

export interface SearchCapabilities {
  /** Tolerates typos in names. */
  readonly typoTolerant: boolean;
  /** Keeps its index across restarts (otherwise the manager rebuilds it at open). */
  readonly persistent: boolean;
}

/**
 * The search index: one document per package name, at its latest version.
 * The manager calls upsert/remove as versions are published and deleted, and rebuild() at open
 * when the index is not persistent or is stale.
 */
export interface SearchProvider extends Provider {
  readonly capabilities: SearchCapabilities;
  /** Adds or replaces the document of one package. */
  upsert(doc: SearchDocument): Promise<void>;
  /** Removes a package from the index (its last version was deleted). */
  remove(name: string): Promise<void>;
  /** Replaces the whole index with these documents. */
  rebuild(docs: AsyncIterable<SearchDocument> | Iterable<SearchDocument>): Promise<void>;
  /** Sets popularity for packages (a host's seed, or the registry's download counts). */
  setDownloads(counts: ReadonlyMap<string, number>): Promise<void>;
  /** Number of packages indexed. */
  size(): Promise<number>;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
}
