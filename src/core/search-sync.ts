/**
 * Keeps the search index in step with the metadata: one document per package name, at its latest
 * version, carrying its download count. The metadata is the truth; these functions copy it.
 */
import type { SearchDocument, VersionRecord } from '../contracts/index.js';
import type { CoreContext } from './context.js';
import { latestRecord, pickLatest } from './lookup.js';

export function searchDocument(record: VersionRecord, downloads: number): SearchDocument {
  const m = record.metadata;
  const doc: SearchDocument = { name: record.name, version: record.version, downloads };
  if (typeof m.description === 'string') doc.description = m.description;
  if (typeof m.author === 'string') doc.author = m.author;
  if (Array.isArray(m.tags)) doc.tags = m.tags;
  if (Array.isArray(m.capabilities)) doc.capabilities = m.capabilities;
  return doc;
}

/** Makes the index entry of `name` match the metadata: upsert its latest version, or remove it. */
export async function syncSearchEntry(ctx: CoreContext, name: string): Promise<void> {
  await ctx.searchBarrier();
  const latest = await latestRecord(ctx, name);
  if (!latest) {
    await ctx.search.remove(name);
    return;
  }
  const downloads = (await ctx.metadata.getDownloads([name])).get(name) ?? 0;
  await ctx.search.upsert(searchDocument(latest, downloads));
}

/**
 * Every package's search document, from the metadata (for search.rebuild). Returned as one array,
 * not yielded one by one: the latest version of a name is only known once every version was read,
 * so everything is collected first anyway, and an array spares the rebuild one await per package.
 */
export async function allSearchDocuments(ctx: CoreContext): Promise<SearchDocument[]> {
  const latestByName = new Map<string, VersionRecord>();
  for await (const record of ctx.metadata.allVersions()) {
    const current = latestByName.get(record.name);
    if (!current) {
      latestByName.set(record.name, record);
      continue;
    }
    const picked = pickLatest([current, record], ctx.versioning);
    if (picked) latestByName.set(record.name, picked);
  }
  const names = [...latestByName.keys()];
  const downloads = new Map<string, number>();
  const BATCH = 500;
  for (let i = 0; i < names.length; i += BATCH) {
    for (const [n, c] of await ctx.metadata.getDownloads(names.slice(i, i + BATCH))) downloads.set(n, c);
  }
  const docs: SearchDocument[] = [];
  for (const [name, record] of latestByName) docs.push(searchDocument(record, downloads.get(name) ?? 0));
  return docs;
}
