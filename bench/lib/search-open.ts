/**
 * The index rebuild the manager does at open, measured end to end: a SQLite metadata store holding
 * every corpus package (one version each, with its download count) is read by the core's
 * allSearchDocuments() and fed to the default search provider's rebuild(). The store is filled
 * once, untimed, in a temp folder that is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteMetadata } from '../../providers/metadata/sqlite.js';
import { createIndexedSearch } from '../../providers/search/indexed.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import type { SearchDocument } from '../../src/contracts/search.js';
import type { CoreContext } from '../../src/core/context.js';
import { allSearchDocuments } from '../../src/core/search-sync.js';

const FAKE_DIGEST = `sha256:${'0'.repeat(64)}` as const;

export async function measureOpenRebuild(docs: readonly SearchDocument[]): Promise<{ fillMs: number; readMs: number; rebuildMs: number; rebuildCpuMs: number; indexed: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-search-open-'));
  const metadata = createSqliteMetadata({ path: path.join(dir, 'registry.db'), synchronous: 'normal' });
  try {
    const t0 = performance.now();
    const publishedAt = new Date(0).toISOString();
    for (const d of docs) {
      await metadata.insertVersion({ name: d.name, version: d.version, digest: FAKE_DIGEST, size: 1, publishedAt, metadata: { name: d.name, version: d.version, description: d.description ?? '' } });
      if ((d.downloads ?? 0) > 0) await metadata.addDownloads(d.name, d.downloads!);
    }
    const fillMs = performance.now() - t0;
    // allSearchDocuments reads only the metadata and versioning providers of the context.
    const ctx = { metadata, versioning: createSemverVersioning() } as unknown as CoreContext;
    // Reading alone first (it also warms SQLite's page cache, as a store in use would be).
    const t1 = performance.now();
    let read = 0;
    for (const _doc of await allSearchDocuments(ctx)) read++;
    const readMs = performance.now() - t1;
    const search = createIndexedSearch();
    const cpu = process.cpuUsage();
    const t2 = performance.now();
    await search.rebuild(await allSearchDocuments(ctx));
    const rebuildMs = performance.now() - t2;
    const used = process.cpuUsage(cpu);
    if (read !== (await search.size())) throw new Error(`read ${read} documents but indexed ${await search.size()}`);
    return { fillMs, readMs, rebuildMs, rebuildCpuMs: (used.user + used.system) / 1000, indexed: read };
  } finally {
    await metadata.close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
