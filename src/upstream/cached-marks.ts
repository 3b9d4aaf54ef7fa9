/**
 * Which versions of a store were fetched from an upstream (pull-through) rather than published
 * to it: documents of kind `cached-package`, key `name@version`, in the metadata's documents
 * facet. A version without one is authored, and `gc --cached` never touches it.
 */
import type { DocumentStore } from '../contracts/index.js';

export const CACHED_KIND = 'cached-package';

export interface CachedMark {
  upstream: string;
  digest: string;
  size: number;
  fetchedAt: string;
  /** Last time it was read (updated at most once a minute per version, to keep hits cheap). */
  lastUsedAt: string;
}

/** How stale lastUsedAt may get before a read writes it again. */
export const TOUCH_INTERVAL_MS = 60_000;

export function markKey(name: string, version: string): string {
  return `${name}@${version}`;
}

export async function putMark(docs: DocumentStore, name: string, version: string, mark: CachedMark): Promise<void> {
  await docs.write([{ op: 'put', kind: CACHED_KIND, key: markKey(name, version), value: mark }]);
}

export async function getMark(docs: DocumentStore, name: string, version: string): Promise<CachedMark | undefined> {
  return (await docs.get(CACHED_KIND, markKey(name, version)))?.value as CachedMark | undefined;
}

export async function listMarks(docs: DocumentStore): Promise<Array<{ name: string; version: string; mark: CachedMark }>> {
  const out: Array<{ name: string; version: string; mark: CachedMark }> = [];
  let after: string | undefined;
  for (;;) {
    const page = await docs.list(CACHED_KIND, { limit: 1000, ...(after !== undefined ? { after } : {}) });
    for (const d of page) {
      const at = d.key.lastIndexOf('@');
      out.push({ name: d.key.slice(0, at), version: d.key.slice(at + 1), mark: d.value as CachedMark });
    }
    if (page.length < 1000) return out;
    after = page[page.length - 1]!.key;
  }
}

export async function deleteMark(docs: DocumentStore, name: string, version: string): Promise<void> {
  await docs.write([{ op: 'delete', kind: CACHED_KIND, key: markKey(name, version) }]);
}
