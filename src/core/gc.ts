/**
 * `gc`: removes what nothing refers to, as named steps:
 *
 *   sweepTmp → findOrphans → removeOrphans
 *
 * An orphan is a stored archive no version refers to: left by a crash between storing and
 * indexing, or by a delete whose blob removal failed. Each one is checked again right before it
 * is removed, so a version indexed meanwhile keeps its archive. With dryRun nothing is removed
 * and the result lists what would go and the bytes that would be freed.
 */
import type { BlobInfo } from '../contracts/index.js';
import { removeUnreferencedBlob } from './blob-removal.js';
import { recordAudit, type CoreContext } from './context.js';
import { runSteps, type Step } from './steps.js';
import type { GcOptions, GcResult, ProgressCallback } from './types.js';

interface GcState {
  readonly dryRun: boolean;
  readonly onProgress: ProgressCallback | undefined;
  candidates: BlobInfo[];
  removed: BlobInfo[];
  tempSwept: number;
}

const sweepTmp: Step<GcState> = {
  name: 'sweepTmp',
  async run(state, ctx) {
    // A dry run touches nothing, temp files included.
    if (state.dryRun) return { removed: 0 };
    const swept = await ctx.temp.sweep();
    state.tempSwept = swept.removed;
    return swept;
  },
};

const findOrphans: Step<GcState> = {
  name: 'findOrphans',
  async run(state, ctx) {
    let scanned = 0;
    for await (const blob of ctx.storage.list()) {
      scanned += 1;
      if (!(await ctx.metadata.isDigestReferenced(blob.digest))) state.candidates.push(blob);
    }
    return { scanned, orphans: state.candidates.length };
  },
};

const removeOrphans: Step<GcState> = {
  name: 'removeOrphans',
  async run(state, ctx) {
    let done = 0;
    for (const blob of state.candidates) {
      done += 1;
      // Checked again: a publish may have indexed this archive since findOrphans saw it (and,
      // when removing, under the metadata's hold, so none can index it while it goes).
      const removed = state.dryRun ? !(await ctx.metadata.isDigestReferenced(blob.digest)) : await removeUnreferencedBlob(ctx, blob.digest, blob.owner);
      if (removed) state.removed.push(blob);
      state.onProgress?.(done, state.candidates.length);
    }
    return { removed: state.removed.length };
  },
};

export const GC_STEPS: ReadonlyArray<Step<GcState>> = [sweepTmp, findOrphans, removeOrphans];

export async function gcPipeline(ctx: CoreContext, options: GcOptions = {}, onProgress?: ProgressCallback): Promise<GcResult> {
  const state: GcState = { dryRun: options.dryRun === true, onProgress, candidates: [], removed: [], tempSwept: 0 };
  const steps = await runSteps(GC_STEPS, state, ctx);
  const bytesFreed = state.removed.reduce((sum, b) => sum + b.size, 0);
  if (!state.dryRun) {
    await recordAudit(ctx, { action: 'gc', outcome: 'success', detail: { removed: state.removed.length, bytesFreed, tempSwept: state.tempSwept } });
  }
  const blobs = state.removed.map(({ digest, size }) => ({ digest, size }));
  return { dryRun: state.dryRun, removed: state.removed.length, bytesFreed, blobs, tempSwept: state.tempSwept, steps };
}
