/**
 * The search providers' view of one package: a checked copy of its SearchDocument, plus the
 * lower-cased filter fields so that a filter test costs no allocation per query.
 */
import type { SearchDocument, SearchHit } from '../../src/contracts/search.js';
import { RegistryError } from '../../src/errors.js';

export interface StoredDocument {
  readonly doc: SearchDocument;
  /** Lower-cased name (names are lowercase by grammar; this guards a host's own documents). */
  readonly key: string;
  readonly downloads: number;
  readonly tags: readonly string[];
  readonly author: string | undefined;
  readonly capabilities: readonly string[];
}

export interface SearchFilters {
  tag?: string | undefined;
  author?: string | undefined;
  capability?: string | undefined;
}

function stringList(value: unknown, field: string, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new RegistryError('E_SEARCH_DOCUMENT_INVALID', `search document '${name}': ${field} must be an array of strings`, { path: field, found: value });
  }
  return value as string[];
}

/** Most packages have no tags or capabilities: one shared empty list spares an allocation each. */
const NONE: readonly string[] = Object.freeze([]);

function copyList(list: readonly string[]): string[] {
  return list.length === 0 ? (NONE as string[]) : [...list];
}

function lowerList(list: readonly string[]): readonly string[] {
  return list.length === 0 ? NONE : list.map((v) => v.toLowerCase());
}

/** Checks and copies a document; the index never keeps a reference to the caller's object. */
export function storeDocument(doc: SearchDocument): StoredDocument {
  if (doc === null || typeof doc !== 'object' || typeof doc.name !== 'string' || doc.name.trim() === '') {
    throw new RegistryError('E_SEARCH_DOCUMENT_INVALID', 'search document has no name: every document needs a non-empty string name', { path: 'name', found: doc?.name });
  }
  const name = doc.name;
  if (typeof doc.version !== 'string' || doc.version === '') {
    throw new RegistryError('E_SEARCH_DOCUMENT_INVALID', `search document '${name}' has no version: every document needs its latest version`, { path: 'version', found: doc.version });
  }
  if (doc.description !== undefined && doc.description !== null && typeof doc.description !== 'string') {
    throw new RegistryError('E_SEARCH_DOCUMENT_INVALID', `search document '${name}': description must be a string`, { path: 'description', found: doc.description });
  }
  if (doc.author !== undefined && doc.author !== null && typeof doc.author !== 'string') {
    throw new RegistryError('E_SEARCH_DOCUMENT_INVALID', `search document '${name}': author must be a string`, { path: 'author', found: doc.author });
  }
  const tags = stringList(doc.tags, 'tags', name);
  const capabilities = stringList(doc.capabilities, 'capabilities', name);
  const copy: SearchDocument = {
    name,
    version: doc.version,
    description: doc.description ?? '',
    tags: copyList(tags),
    capabilities: copyList(capabilities),
    downloads: sanitizeDownloads(doc.downloads),
  };
  if (typeof doc.author === 'string') copy.author = doc.author;
  return {
    doc: copy,
    key: name.toLowerCase(),
    downloads: copy.downloads ?? 0,
    tags: lowerList(tags),
    author: typeof doc.author === 'string' ? doc.author.toLowerCase() : undefined,
    capabilities: lowerList(capabilities),
  };
}

/** Same document with another download count (setDownloads). */
export function withDownloads(stored: StoredDocument, downloads: number): StoredDocument {
  const d = sanitizeDownloads(downloads);
  return { ...stored, doc: { ...stored.doc, downloads: d }, downloads: d };
}

/** Downloads are a ranking signal only: anything that is not a finite count counts as 0. */
export function sanitizeDownloads(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Filters are exact and case-insensitive; the filter values arrive already lower-cased. */
export function matchesFilters(stored: StoredDocument, filters: SearchFilters): boolean {
  if (filters.tag !== undefined && !stored.tags.includes(filters.tag)) return false;
  if (filters.author !== undefined && stored.author !== filters.author) return false;
  if (filters.capability !== undefined && !stored.capabilities.includes(filters.capability)) return false;
  return true;
}

export function hasFilters(filters: SearchFilters): boolean {
  return filters.tag !== undefined || filters.author !== undefined || filters.capability !== undefined;
}

export function toHit(stored: StoredDocument, score: number, exact: boolean): SearchHit {
  return { name: stored.doc.name, version: stored.doc.version, description: stored.doc.description ?? '', score, exact };
}
