/**
 * The fast search provider: the default. In memory (capabilities.persistent false: the manager
 * rebuilds it at first use; docs/search.md has the figures), incremental on upsert/remove.
 *
 * Candidates come from two indexes, chosen by measurement (docs/search.md):
 * - a trie of names (indexed/name-trie.ts): the exact name, every name within 1-2 edits
 *   (typos: dropped, added, mistyped or swapped characters), and the most downloaded names under
 *   the query as a prefix (`@types/nod`);
 * - an inverted index of words from names and descriptions (indexed/word-index.ts).
 * Each candidate gets a score = the strength of how it matched (exact > prefix > 1 edit > 2 edits
 * > words) + popularity (log10 of downloads), so a popular package wins among matches of the same
 * strength and can overcome one step of strength only with a large lead in downloads.
 *
 * Every candidate set is bounded by the query, not by the index: the edit walk visits only name
 * prefixes within k edits of the query, prefix completions are taken best-first, and word queries
 * use at most MAX_QUERY_WORDS words.
 */
import { CORE_VERSION, type SearchDocument, type SearchOptions, type SearchProvider, type SearchResult } from '../../src/contracts/index.js';
import { resolveLimits, type Limits } from '../../src/limits.js';
import { sortedIncludes } from '../../src/util/partition-point.js';
import { hasFilters, matchesFilters, storeDocument, withDownloads, type SearchFilters, type StoredDocument } from './document.js';
import { NameTrie } from './indexed/name-trie.js';
import { words } from './indexed/tokenize.js';
import { WordIndex } from './indexed/word-index.js';
import { normalizeQuery, resolveSearchOptions } from './options.js';
import { TopK, type Ranked } from './ranking.js';

/** How strongly each kind of match counts, before popularity is added. */
export interface RankingWeights {
  exact: number;
  /** The query is the start of the name. */
  prefix: number;
  /** A name k edits away scores prefix − k × (edit + editShortQuery / m²) for a query of m characters: */
  edit: number;
  /** an edit in a short query changes more of it, so it counts for more (and a prefix reading wins). */
  editShortQuery: number;
  /** Added once for a second edit: two edits are much weaker evidence than one. */
  secondEdit: number;
  /**
   * Taken off an edit neighbour that is a strict start of the query when the query also starts
   * other names: the user has typed past it (`debugl` means debuglog more than debug).
   */
  typedPast: number;
  /** All words of a multi-word query found in the name or description. */
  words: number;
  /** Extra per share of the query's words that are words of the name. */
  wordsInName: number;
  /** A single-word query found only as a word of a description (below every name match). */
  wordFallback: number;
  /** Weight of popularity: log10(1 + downloads) / 10 (so 1M downloads ≈ 0.6). */
  popularity: number;
}

/**
 * Every strength is at least 1 above what its weakest reading can lose (a description match of
 * some of many words, the largest edit penalty of the edit budget), so a real match never scores
 * 0 or below: scores read "higher is better" as they stand.
 */
export const DEFAULT_WEIGHTS: RankingWeights = Object.freeze({
  exact: 4,
  prefix: 3,
  edit: 0,
  editShortQuery: 6,
  secondEdit: 0.2,
  typedPast: 0.3,
  words: 2,
  wordsInName: 0.05,
  wordFallback: 1,
  popularity: 1,
});

export interface IndexedSearchOptions {
  /** Limit overrides (maxQueryChars is the one search uses). */
  limits?: Partial<Limits>;
  /** Ranking weights, for a host that wants another balance (e.g. popularity off: 0). */
  weights?: Partial<RankingWeights>;
}

/** The score of every package an empty query lists (their order is by downloads). */
const LISTED = 1;

/** Words of a query beyond this many are ignored: an AND of more words adds nothing but work. */
export const MAX_QUERY_WORDS = 8;
/** A query word of at least this many characters also matches longer words it starts. */
const MIN_WORD_PREFIX = 3;
/** A query word stands for at most this many longer words (the most frequent ones). */
const MAX_PREFIX_WORDS = 64;
/** A word held by at most this many packages is distinctive enough to fill a short page of name results. */
const DISTINCTIVE_WORD_DOCS = 2_000;
/** In a fallback OR of words, words held by more documents than this are too common to rank by. */
const COMMON_WORD_DOCS = 20_000;

/** Edits forgiven for a query of this length: short queries have too many neighbours to guess. */
export function editBudget(length: number): number {
  if (length <= 2) return 0;
  if (length <= 4) return 1;
  return 2;
}

interface IndexState {
  docs: (StoredDocument | undefined)[];
  /** docs[id].downloads and its popularity, kept apart so that scanning thousands of ids reads flat arrays. */
  downloads: number[];
  popularity: number[];
  trie: NameTrie;
  words: WordIndex;
  live: number;
}

function emptyState(): IndexState {
  return { docs: [], downloads: [], popularity: [], trie: new NameTrie(), words: new WordIndex(), live: 0 };
}

/** Words indexed per package: a summary has a few dozen; this bounds what one huge description costs. */
export const MAX_DOCUMENT_WORDS = 256;

function docWords(stored: StoredDocument): string[] {
  return words(`${stored.doc.name} ${stored.doc.description ?? ''}`, MAX_DOCUMENT_WORDS);
}

function popularity(downloads: number): number {
  return Math.log10(1 + downloads) / 10;
}

export function createIndexedSearch(options: IndexedSearchOptions = {}): SearchProvider & { stats(): { nodes: number; trieBytes: number } } {
  const limits = resolveLimits(options.limits);
  const w: RankingWeights = { ...DEFAULT_WEIGHTS, ...options.weights };
  let state = emptyState();

  /**
   * Ids only grow (posting lists stay sorted by appending), so a replaced or removed package leaves
   * an empty slot: 24 bytes per publish until the next rebuild (at open) compacts them.
   */
  function add(s: IndexState, stored: StoredDocument): void {
    const old = s.trie.get(stored.key);
    if (old !== -1) drop(s, old);
    const id = s.docs.length;
    s.docs.push(stored);
    s.downloads.push(stored.downloads);
    s.popularity.push(popularity(stored.downloads));
    s.trie.set(stored.key, id, stored.downloads);
    s.words.add(id, docWords(stored));
    s.live++;
  }

  function drop(s: IndexState, id: number): void {
    const stored = s.docs[id];
    if (stored === undefined) return;
    s.words.remove(id, docWords(stored));
    s.docs[id] = undefined;
    s.live--;
  }

  const score = (kind: number, id: number) => kind + w.popularity * state.popularity[id]!;

  function listAll(filters: SearchFilters, limit: number, offset: number): SearchResult {
    const top = new TopK(offset + limit);
    if (!hasFilters(filters)) {
      // Best-first down the trie: the most downloaded names without looking at the others.
      for (const id of state.trie.topByWeight(0, offset + limit)) top.offer(state.docs[id]!, LISTED);
      return top.page(limit, offset, state.live - top.count);
    }
    for (const stored of state.docs) if (stored !== undefined && matchesFilters(stored, filters)) top.offer(stored, LISTED);
    return top.page(limit, offset);
  }

  /** Multi-word query: every word must appear in the name or description; popularity ranks. */
  function searchWords(q: string, filters: SearchFilters, limit: number, offset: number): SearchResult {
    const terms = words(q, MAX_QUERY_WORDS);
    const top = new TopK(offset + limit);
    const filtered = hasFilters(filters);
    const consider = (id: number, share: number) => {
      const best = score(w.words * share + w.wordsInName, id);
      if (!filtered && !top.couldEnter(best, state.downloads[id]!)) return top.skip();
      const stored = state.docs[id];
      if (stored === undefined || !matchesFilters(stored, filters)) return;
      let inName = 0;
      for (const t of terms) if (stored.key.includes(t)) inName++;
      top.offer(stored, score(w.words * share + (w.wordsInName * inName) / terms.length, id), stored.key === q);
    };
    const all = state.words.all(terms);
    // Whole words first; then words that start with the terms ("salsa" for "salsa20").
    const byPrefix = all.length > 0 ? all : state.words.allByPrefix(terms, MIN_WORD_PREFIX, MAX_PREFIX_WORDS);
    if (byPrefix.length > 0) {
      for (const id of byPrefix) consider(id, 1);
    } else {
      // No document holds every word: rank by how many they hold, leaving out words so common
      // that they would pull in most of the index.
      const useful = terms.filter((t) => state.words.frequency(t) <= COMMON_WORD_DOCS);
      for (const [id, n] of state.words.some(useful)) consider(id, n / terms.length);
    }
    return top.page(limit, offset);
  }

  /** One-word query: a name (exact, prefix, 1-2 edits), then words of descriptions. */
  function searchName(q: string, filters: SearchFilters, limit: number, offset: number): SearchResult {
    const byId = new Map<number, Ranked>();
    const offer = (id: number, kind: number, exact = false) => {
      const stored = state.docs[id];
      if (stored === undefined || !matchesFilters(stored, filters)) return;
      const s = score(kind, id);
      const had = byId.get(id);
      if (had === undefined) byId.set(id, { stored, score: s, exact });
      else if (s > had.score) had.score = s;
    };
    const want = offset + limit;
    const exactId = state.trie.get(q);
    if (exactId !== -1) offer(exactId, w.exact, true);
    const prefixNode = state.trie.node(q);
    const perEdit = w.edit + w.editShortQuery / (q.length * q.length);
    const walk = (k: number) => {
      // No name is longer than maxNameChars, so a longer query is more than k edits from every name.
      if (k > 0 && q.length <= limits.maxNameChars + k) {
        state.trie.fuzzy(q, k, {
          onName: (id, d) => {
            if (d === 0) return;
            const typedPast = prefixNode !== -1 && isStrictStartOf(state.docs[id]?.key, q) ? w.typedPast : 0;
            offer(id, w.prefix - d * perEdit - (d > 1 ? w.secondEdit : 0) - typedPast);
          },
        });
      }
    };
    const budget = editBudget(q.length);
    // When the query is a name, its neighbours two edits away are noise next to it: walk for one.
    walk(exactId !== -1 ? Math.min(1, budget) : budget);
    // Names under the prefix that were not taken (not among the most downloaded): counted, not ranked.
    let prefixNotTaken = 0;
    if (prefixNode !== -1) {
      if (hasFilters(filters)) {
        state.trie.forEachUnder(prefixNode, (id) => offer(id, w.prefix));
      } else {
        for (const id of state.trie.topByWeight(prefixNode, want)) offer(id, w.prefix);
        prefixNotTaken = state.trie.namesUnder(prefixNode);
        for (const r of byId.values()) if (r.stored.key.startsWith(q)) prefixNotTaken--;
      }
    }
    const top = new TopK(want);
    for (const r of byId.values()) top.offer(r.stored, r.score, r.exact);
    const terms = words(q, MAX_QUERY_WORDS);
    let found: number[] = [];
    if (terms.length > 0) {
      found = state.words.all(terms);
      // Ids under the prefix but not taken are already counted, and outranked by the prefix names
      // taken; find them from whichever side is smaller, the word's list or the prefix's names.
      let underPrefix: Set<number> | undefined;
      if (prefixNotTaken > 0) {
        underPrefix = new Set();
        if (state.trie.namesUnder(prefixNode) < found.length) {
          state.trie.forEachUnder(prefixNode, (id) => sortedIncludes(found, id) && underPrefix!.add(id));
        } else {
          for (const id of found) if (state.docs[id]!.key.startsWith(q)) underPrefix.add(id);
        }
      }
      const filtered = hasFilters(filters);
      for (const id of found) {
        if (byId.has(id) || underPrefix?.has(id) === true) continue;
        const s = score(w.wordFallback, id);
        if (!filtered && !top.couldEnter(s, state.downloads[id]!)) {
          top.skip();
          continue;
        }
        const stored = state.docs[id]!;
        if (!matchesFilters(stored, filters)) continue;
        top.offer(stored, s);
      }
    }
    // Nothing looks like this name: read it as words instead ("expo-dev-launhkcer" → expo, dev, …).
    if (top.count === 0 && prefixNotTaken === 0 && terms.length > 1) return searchWords(terms.join(' '), filters, limit, offset);
    // A short page: fill it with packages holding some of the name's distinctive words (rare enough
    // to say something, and cheap to count), below everything else.
    if (top.count + prefixNotTaken < want && terms.length > 1) {
      const inFound = new Set(found);
      const useful = terms.filter((t) => state.words.frequency(t) <= DISTINCTIVE_WORD_DOCS);
      for (const [id, n] of state.words.some(useful)) {
        if (byId.has(id) || inFound.has(id)) continue;
        const stored = state.docs[id]!;
        if (prefixNotTaken > 0 && stored.key.startsWith(q)) continue; // counted with the prefix
        if (!matchesFilters(stored, filters)) continue;
        top.offer(stored, score(w.wordFallback - 1 + n / terms.length, id));
      }
    }
    return top.page(limit, offset, prefixNotTaken);
  }

  async function search(query: string, searchOptions?: SearchOptions): Promise<SearchResult> {
    const q = normalizeQuery(query, limits.maxQueryChars);
    const { limit, offset, filters } = resolveSearchOptions(searchOptions);
    if (q === '') return listAll(filters, limit, offset);
    if (q.includes(' ')) return searchWords(q, filters, limit, offset);
    return searchName(q, filters, limit, offset);
  }

  return {
    info: { name: 'indexed', family: 'search', coreRange: `^${CORE_VERSION}` },
    capabilities: { typoTolerant: true, persistent: false },
    async upsert(doc: SearchDocument) {
      add(state, storeDocument(doc));
    },
    async remove(name: string) {
      const key = String(name).toLowerCase();
      const id = state.trie.get(key);
      if (id === -1) return;
      drop(state, id);
      state.trie.delete(key);
    },
    async rebuild(input: AsyncIterable<SearchDocument> | Iterable<SearchDocument>) {
      // Build aside and swap, so searches during a rebuild see the old index, and a bad document leaves it intact.
      const next = emptyState();
      // A plain iterable (an array) is read without an await per document: an await each adds up.
      if (Symbol.iterator in input) for (const doc of input) add(next, storeDocument(doc));
      else for await (const doc of input) add(next, storeDocument(doc));
      next.words.prepare();
      state = next;
    },
    async setDownloads(counts: ReadonlyMap<string, number>) {
      for (const [name, n] of counts) {
        const key = name.toLowerCase();
        const id = state.trie.get(key);
        const stored = id === -1 ? undefined : state.docs[id];
        if (stored === undefined) continue;
        const next = withDownloads(stored, n);
        state.docs[id] = next;
        state.downloads[id] = next.downloads;
        state.popularity[id] = popularity(next.downloads);
        state.trie.set(key, id, next.downloads);
      }
    },
    async size() {
      return state.live;
    },
    search,
    stats() {
      return { nodes: state.trie.nodeCount, trieBytes: state.trie.bytes };
    },
  };
}

export default createIndexedSearch;

function isStrictStartOf(name: string | undefined, query: string): boolean {
  return name !== undefined && name.length < query.length && query.startsWith(name);
}
