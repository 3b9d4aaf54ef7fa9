/**
 * Rebuilds the metadata from the stored archives: every blob is read back (verified), validated,
 * and its version inserted when the metadata lacks it. It only adds: rows already there are kept,
 * conflicting ones reported, and the metadata is never reset to empty (the lesson of
 * verdaccio#1237). The search index is then rebuilt from the metadata.
 *
 *   scanArchives → rebuildSearch
 *
 * The original publish time is not stored in an archive; rebuilt rows get the time of the rebuild.
 */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobOwner, Digest, VersionRecord } from '../contracts/index.js';
import { isRegistryError } from '../errors.js';
import { recordAudit, type CoreContext } from './context.js';
import { allSearchDocuments } from './search-sync.js';
import { runSteps, type Step } from './steps.js';
import type { PackageRef, ProgressCallback, RebuildResult } from './types.js';

interface RebuildState {
  readonly onProgress: ProgressCallback | undefined;
  scanned: number;
  inserted: number;
  unchanged: number;
  conflicts: PackageRef[];
  unreadable: Array<{ digest: Digest; code: string; message: string }>;
}

const scanArchives: Step<RebuildState> = {
  name: 'scanArchives',
  async run(state, ctx) {
    const blobs: BlobInfo[] = [];
    for await (const blob of ctx.storage.list()) blobs.push(blob);
    for (const { digest, owner } of blobs) {
      await restoreOne(ctx, state, digest, owner);
      state.scanned += 1;
      state.onProgress?.(state.scanned, blobs.length);
    }
    return { scanned: state.scanned, inserted: state.inserted, unchanged: state.unchanged, conflicts: state.conflicts.length, unreadable: state.unreadable.length };
  },
};

const rebuildSearch: Step<RebuildState> = {
  name: 'rebuildSearch',
  async run(_state, ctx) {
    await ctx.search.rebuild(await allSearchDocuments(ctx));
    return { indexed: await ctx.search.size() };
  },
};

export const REBUILD_STEPS: ReadonlyArray<Step<RebuildState>> = [scanArchives, rebuildSearch];

async function restoreOne(ctx: CoreContext, state: RebuildState, digest: Digest, owner: BlobOwner | undefined): Promise<void> {
  const temp = await ctx.temp.path();
  try {
    let report;
    try {
      await pipeline(await ctx.storage.get(digest, owner), createWriteStream(temp, { flags: 'wx' }));
      report = await ctx.validation.validateFile(temp, { versioning: ctx.versioning });
    } catch (err) {
      // A blob that cannot be read back (corrupt: now quarantined; vanished) is reported, not fatal.
      if (!isRegistryError(err, 'E_STORE_INTEGRITY') && !isRegistryError(err, 'E_STORE_BLOB_MISSING')) throw err;
      state.unreadable.push({ digest, code: err.code, message: err.message });
      return;
    }
    if (!report.valid || !report.metadata) {
      const first = report.errors[0];
      state.unreadable.push({ digest, code: first?.code ?? 'E_INTERNAL', message: first?.message ?? 'invalid archive' });
      return;
    }
    // The size of the verified copy: the stored blob may be gone by now (see below).
    const { size } = await stat(temp);
    const m = report.metadata;
    const record: VersionRecord = { name: m.name, version: m.version, digest, size, publishedAt: ctx.clock().toISOString(), metadata: m };
    const outcome = await ctx.metadata.insertVersion(record);
    // A gc in another process may have removed the archive (unreferenced until this insert)
    // while it was read; the row now refers to it, so it is not removed again: store the
    // verified copy back, so the new row never points at nothing.
    const found: BlobOwner = { name: m.name, version: m.version };
    if (outcome.status === 'inserted' && !(await ctx.storage.stat(digest, found))) {
      try {
        await ctx.storage.put(digest, size, temp, found);
      } catch (err) {
        // Not stored back: the row goes again rather than point at nothing.
        await ctx.metadata.deleteVersion(m.name, m.version);
        throw err;
      }
    }
    if (outcome.status === 'inserted') state.inserted += 1;
    else if (outcome.status === 'unchanged') state.unchanged += 1;
    else state.conflicts.push({ name: m.name, version: m.version, digest });
  } finally {
    await rm(temp, { force: true });
  }
}

export async function rebuildPipeline(ctx: CoreContext, onProgress?: ProgressCallback): Promise<RebuildResult> {
  const state: RebuildState = { onProgress, scanned: 0, inserted: 0, unchanged: 0, conflicts: [], unreadable: [] };
  const steps = await runSteps(REBUILD_STEPS, state, ctx);
  await recordAudit(ctx, { action: 'rebuild', outcome: 'success', detail: { scanned: state.scanned, inserted: state.inserted, conflicts: state.conflicts.length, unreadable: state.unreadable.length } });
  return { scanned: state.scanned, inserted: state.inserted, unchanged: state.unchanged, conflicts: state.conflicts, unreadable: state.unreadable, steps };
}
