/**
 * Upstream version lists cached for a TTL: in memory, and in `<store>/upstream-cache/` so that
 * another process (and offline mode, which asks no upstream) knows which upstream has what. A
 * fresh entry answers without a request; an absent package is cached too ("not there").
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { VersionList } from '../core/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface CachedList {
  fetchedAt: number;
  /** null: the upstream said it has no such package. */
  list: VersionList | null;
}

export class MetadataCache {
  private readonly memory = new Map<string, CachedList>();

  constructor(private readonly dir: string | undefined) {}

  /** The entry, fresh or not (the caller compares fetchedAt with its TTL). */
  async get(location: string, name: string): Promise<CachedList | undefined> {
    const key = cacheKey(location, name);
    const hit = this.memory.get(key);
    if (hit || !this.dir) return hit;
    try {
      const parsed = JSON.parse(await readFile(path.join(this.dir, `${key}.json`), 'utf8')) as { location?: string; name?: string } & CachedList;
      if (parsed.location !== location || parsed.name !== name || typeof parsed.fetchedAt !== 'number') return undefined;
      const entry: CachedList = { fetchedAt: parsed.fetchedAt, list: parsed.list ?? null };
      this.memory.set(key, entry);
      return entry;
    } catch {
      return undefined; // absent or unreadable: a miss, and the next fetch rewrites it
    }
  }

  async set(location: string, name: string, entry: CachedList): Promise<void> {
    const key = cacheKey(location, name);
    this.memory.set(key, entry);
    if (!this.dir) return;
    // A cache: losing it in a power cut costs one request, so no fsync.
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(path.join(this.dir, `${key}.json`), JSON.stringify({ location, name, ...entry }), { fsync: false });
  }
}

function cacheKey(location: string, name: string): string {
  return createHash('sha256').update(location).update('\0').update(name).digest('hex').slice(0, 40);
}
