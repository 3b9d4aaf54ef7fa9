/**
 * The simple search provider: fuse.js over name, description, tags, author and capabilities.
 * Good for small registries (a few thousand packages): every query scans every document, so a
 * large registry waits seconds per query (docs/search.md); createIndexedSearch is the fast one.
 *
 * Behaviour shared with every search provider (test/conformance/search.suite.ts):
 * - the exact name comes first with `exact: true`;
 * - filters (tag, author, capability) are exact and case-insensitive;
 * - an empty query lists every package that passes the filters, most downloaded first;
 * - `total` counts every match before pagination, and the order is total (ties by downloads, then name).
 */
import Fuse from 'fuse.js';
import { CORE_VERSION, type SearchDocument, type SearchOptions, type SearchProvider, type SearchResult } from '../../src/contracts/index.js';
import { resolveLimits, type Limits } from '../../src/limits.js';
import { matchesFilters, storeDocument, withDownloads, type StoredDocument } from './document.js';
import { normalizeQuery, resolveSearchOptions } from './options.js';
import { paginate, type Ranked } from './ranking.js';

export interface FuseSearchOptions {
  /** Limit overrides (maxQueryChars is the one search uses). */
  limits?: Partial<Limits>;
  /** fuse.js match threshold, 0 (exact) to 1 (anything). Default 0.35. */
  threshold?: number;
}

const KEYS = [
  { name: 'name', weight: 4, getFn: (s: StoredDocument) => s.doc.name },
  { name: 'description', weight: 1, getFn: (s: StoredDocument) => s.doc.description ?? '' },
  { name: 'tags', weight: 1, getFn: (s: StoredDocument) => s.doc.tags ?? [] },
  { name: 'author', weight: 0.5, getFn: (s: StoredDocument) => s.doc.author ?? '' },
  { name: 'capabilities', weight: 1, getFn: (s: StoredDocument) => s.doc.capabilities ?? [] },
];

export function createFuseSearch(options: FuseSearchOptions = {}): SearchProvider {
  const limits = resolveLimits(options.limits);
  const threshold = options.threshold ?? 0.35;
  const docs = new Map<string, StoredDocument>();
  // fuse.js's own remove() is a linear scan per call; rebuilding lazily at the next search keeps
  // bulk upserts linear and costs one rebuild per burst of changes.
  let fuse: Fuse<StoredDocument> | undefined;

  function index(): Fuse<StoredDocument> {
    fuse ??= new Fuse([...docs.values()], { keys: KEYS, threshold, ignoreLocation: true, includeScore: true, shouldSort: false });
    return fuse;
  }

  async function search(query: string, searchOptions?: SearchOptions): Promise<SearchResult> {
    const q = normalizeQuery(query, limits.maxQueryChars);
    const { limit, offset, filters } = resolveSearchOptions(searchOptions);
    const matches: Ranked[] = [];
    if (q === '') {
      // A listing: every package scores the same; downloads order them.
      for (const stored of docs.values()) if (matchesFilters(stored, filters)) matches.push({ stored, score: 1, exact: false });
      return paginate(matches, limit, offset);
    }
    let exactSeen = false;
    for (const r of index().search(q)) {
      if (!matchesFilters(r.item, filters)) continue;
      const exact = r.item.key === q;
      exactSeen ||= exact;
      matches.push({ stored: r.item, score: exact ? 1 : 1 - (r.score ?? 1), exact });
    }
    // fuse.js can rank a long exact name below threshold on rare shapes; the exact match must never be missing.
    const exactDoc = docs.get(q);
    if (!exactSeen && exactDoc !== undefined && matchesFilters(exactDoc, filters)) matches.push({ stored: exactDoc, score: 1, exact: true });
    return paginate(matches, limit, offset);
  }

  return {
    info: { name: 'fuse', family: 'search', coreRange: `^${CORE_VERSION}` },
    capabilities: { typoTolerant: true, persistent: false },
    async upsert(doc: SearchDocument) {
      const stored = storeDocument(doc);
      docs.set(stored.key, stored);
      fuse = undefined;
    },
    async remove(name: string) {
      if (docs.delete(String(name).toLowerCase())) fuse = undefined;
    },
    async rebuild(input: AsyncIterable<SearchDocument> | Iterable<SearchDocument>) {
      const next = new Map<string, StoredDocument>();
      for await (const doc of input) {
        const stored = storeDocument(doc);
        next.set(stored.key, stored);
      }
      docs.clear();
      for (const [k, v] of next) docs.set(k, v);
      fuse = undefined;
    },
    async setDownloads(counts: ReadonlyMap<string, number>) {
      for (const [name, n] of counts) {
        const key = name.toLowerCase();
        const stored = docs.get(key);
        if (stored !== undefined) docs.set(key, withDownloads(stored, n));
      }
      fuse = undefined;
    },
    async size() {
      return docs.size;
    },
    search,
  };
}

export default createFuseSearch;
