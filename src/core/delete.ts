/**
 * The delete pipeline, the reverse of publish: removeRow → updateSearch → audit, then removeBlob.
 * The metadata row goes first, so a crash at any point leaves at worst an archive no version
 * refers to (which `gc` removes), never a version whose archive is gone. A failure before the
 * audit record is written puts the row back; removing the blob comes last and is not undone (it
 * cannot be), so a failure there leaves an unreferenced blob, reported in the result, for `gc`.
 */
import type { VersionRecord } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { removeUnreferencedBlob } from './blob-removal.js';
import { recordAudit, type CoreContext } from './context.js';
import { assertName, sortHighestFirst } from './lookup.js';
import { syncSearchEntry } from './search-sync.js';
import { runSteps, type Step } from './steps.js';
import type { DeletedVersion } from './types.js';

interface DeleteState {
  readonly record: VersionRecord;
  rowRemoved: boolean;
}

const removeRow: Step<DeleteState> = {
  name: 'removeRow',
  async run(state, ctx) {
    const removed = await ctx.metadata.deleteVersion(state.record.name, state.record.version);
    state.rowRemoved = removed !== undefined;
  },
  async undo(state, ctx) {
    // Put the row back if it is gone (whether or not deleteVersion managed to say so).
    const row = await ctx.metadata.getVersion(state.record.name, state.record.version);
    if (!row) await ctx.metadata.insertVersion(state.record);
  },
};

const updateSearch: Step<DeleteState> = {
  name: 'updateSearch',
  async run(state, ctx) {
    await syncSearchEntry(ctx, state.record.name);
  },
  async undo(state, ctx) {
    await syncSearchEntry(ctx, state.record.name);
  },
};

const audit: Step<DeleteState> = {
  name: 'audit',
  async run(state, ctx) {
    const r = state.record;
    await recordAudit(ctx, { action: 'delete', outcome: 'success', name: r.name, version: r.version, digest: r.digest });
  },
};

/** The steps that are undone together if one fails; removeBlob follows them. */
export const DELETE_STEPS: ReadonlyArray<Step<DeleteState>> = [removeRow, updateSearch, audit];

/** Removes the blob unless another version still refers to it (identical bytes are one blob). */
async function removeBlob(ctx: CoreContext, record: VersionRecord): Promise<{ removed: boolean; error?: string }> {
  try {
    return { removed: await removeUnreferencedBlob(ctx, record.digest, record) };
  } catch (err) {
    return { removed: false, error: `${err instanceof Error ? err.message : String(err)}; the archive is left unreferenced, run \`pakt gc\`` };
  }
}

/** Deletes one version, or every version of the package when `version` is omitted. */
export async function deletePipeline(ctx: CoreContext, name: string, version: string | undefined, onDeleted: (d: DeletedVersion) => void): Promise<DeletedVersion[]> {
  let records: VersionRecord[];
  try {
    records = await recordsToDelete(ctx, name, version);
  } catch (err) {
    const error = err as RegistryError;
    await recordAudit(ctx, { action: 'delete', outcome: 'failure', name: String(name).slice(0, 214), ...(version !== undefined ? { version: String(version).slice(0, 256) } : {}), code: error.code, message: error.message })
      .catch((auditErr: unknown) => {
        error.details['auditError'] = auditErr instanceof Error ? auditErr.message : String(auditErr);
      });
    throw error;
  }
  const deleted: DeletedVersion[] = [];
  for (const record of records) {
    const state: DeleteState = { record, rowRemoved: false };
    try {
      await runSteps(DELETE_STEPS, state, ctx);
    } catch (err) {
      const error = err as RegistryError;
      error.details['deleted'] = deleted.map((d) => `${d.name}@${d.version}`);
      await recordAudit(ctx, { action: 'delete', outcome: 'failure', name: record.name, version: record.version, digest: record.digest, code: error.code, message: error.message })
        .catch((auditErr: unknown) => {
          error.details['auditError'] = auditErr instanceof Error ? auditErr.message : String(auditErr);
        });
      throw error;
    }
    if (!state.rowRemoved) continue; // another process deleted it first; nothing of ours to report
    const blob = await removeBlob(ctx, record);
    const done: DeletedVersion = { name: record.name, version: record.version, digest: record.digest, blobRemoved: blob.removed };
    if (blob.error !== undefined) done.blobError = blob.error;
    deleted.push(done);
    onDeleted(done);
  }
  return deleted;
}

async function recordsToDelete(ctx: CoreContext, name: string, version: string | undefined): Promise<VersionRecord[]> {
  assertName(name, ctx.limits);
  if (version === undefined) {
    const all = await ctx.metadata.listVersions(name);
    if (all.length === 0) throw new RegistryError('E_PACKAGE_NOT_FOUND', `package '${name}' is not in the registry; nothing to delete`, { name });
    return sortHighestFirst(all, ctx.versioning);
  }
  if (!ctx.versioning.isValidVersion(version)) {
    throw new RegistryError('E_PKG_VERSION_INVALID', `'${String(version).slice(0, 80)}' is not a version; delete takes an exact version (ranges are not accepted, so a typo cannot delete more than meant)`, { found: String(version).slice(0, 80) });
  }
  const record = await ctx.metadata.getVersion(name, version);
  if (record) return [record];
  const others = await ctx.metadata.listVersions(name);
  if (others.length === 0) throw new RegistryError('E_PACKAGE_NOT_FOUND', `package '${name}' is not in the registry; nothing to delete`, { name });
  throw new RegistryError('E_VERSION_NOT_FOUND', `${name}@${version} is not published; published: ${sortHighestFirst(others, ctx.versioning).slice(0, 10).map((r) => r.version).join(', ')}`, { name, expected: version });
}
