/**
 * What every search provider does with a query and its options before searching: cut the query
 * to limits.maxQueryChars (cut, not refused: SPEC §1) before any fuzzy work, normalise it, and
 * check limit/offset and the filters.
 */
import type { SearchOptions } from '../../src/contracts/search.js';
import { RegistryError } from '../../src/errors.js';
import type { SearchFilters } from './document.js';

export const DEFAULT_SEARCH_LIMIT = 20;

export interface ResolvedSearchOptions {
  limit: number;
  offset: number;
  filters: SearchFilters;
}

/** Cut to maxQueryChars first (so nothing below ever sees a long string), then trim, lower-case and collapse spaces. */
export function normalizeQuery(query: unknown, maxQueryChars: number): string {
  if (typeof query !== 'string') {
    throw new RegistryError('E_SEARCH_OPTION_INVALID', `search query must be a string, got ${typeof query}`, { path: 'query', found: typeof query });
  }
  return query.slice(0, maxQueryChars).trim().toLowerCase().replace(/\s+/g, ' ');
}

function count(value: unknown, name: 'limit' | 'offset', fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RegistryError('E_SEARCH_OPTION_INVALID', `search ${name} must be a whole number of zero or more, got ${String(value)}`, { path: name, found: value });
  }
  return value;
}

function filter(value: unknown, name: 'tag' | 'author' | 'capability'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new RegistryError('E_SEARCH_OPTION_INVALID', `search filter ${name} must be a string, got ${typeof value}`, { path: name, found: value });
  }
  return value.toLowerCase();
}

export function resolveSearchOptions(options: SearchOptions = {}): ResolvedSearchOptions {
  return {
    limit: count(options.limit, 'limit', DEFAULT_SEARCH_LIMIT),
    offset: count(options.offset, 'offset', 0),
    filters: { tag: filter(options.tag, 'tag'), author: filter(options.author, 'author'), capability: filter(options.capability, 'capability') },
  };
}
