/**
 * The publish pipeline (DESIGN.md, "The publish pipeline"), as named steps:
 *
 *   intake → validate → checkVersions → checkExisting → store → index → updateSearch → audit
 *
 * Crash safety comes from the order: the archive is durable in the store before any metadata
 * points at it, so a crash leaves at worst an unreferenced archive that `gc` removes. A small
 * archive (held in memory by intake) is put into the store while it is validated from memory:
 * the store's flushes wait for the disk while the validator uses the CPU, and an archive that
 * fails validation is removed again like any other refusal. A refusal or
 * a failing provider undoes the steps already done (steps.ts), so a rejected publish leaves no
 * blob, no metadata row and no search entry behind; only the audit log records it.
 */
import { rmSync } from 'node:fs';
import type { BlobOwner, Digest, PackageMetadata, ValidationReport, VersionRecord } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { checkIdentity } from '../package/identity.js';
import { removeUnreferencedBlob } from './blob-removal.js';
import { recordAudit, type CoreContext } from './context.js';
import { intakeToTempFile, tempFileOf, type IntakeResult } from './intake.js';
import { syncSearchEntry } from './search-sync.js';
import { runSteps, type Step } from './steps.js';
import type { PublishInput, PublishResult, StepReport, ValidateResult } from './types.js';

interface PublishState {
  readonly input: PublishInput;
  intake?: IntakeResult;
  /** The archive's digest, known once intake's hashing has finished (by the end of validate). */
  digest?: Digest;
  metadata?: PackageMetadata;
  /** The identical version was already recorded before this publish began. */
  existing?: VersionRecord;
  /** This publish stored the blob (an identical republish does not). */
  blobCreated: boolean;
  /** The put started during validation (small archives), settled or not. */
  storing?: Promise<void>;
  /** The row this publish asked the metadata store to insert (set before the call). */
  candidate?: VersionRecord;
  /** This publish inserted the metadata row. */
  inserted: boolean;
  record?: VersionRecord;
}

const intake: Step<PublishState> = {
  name: 'intake',
  async run(state, ctx) {
    state.intake = await intakeToTempFile(ctx, state.input);
    return { bytes: state.intake.size };
  },
};

const validate: Step<PublishState> = {
  name: 'validate',
  async run(state, ctx) {
    const taken = need(state.intake);
    if (taken.bytes && ctx.validation.validateBytes && !ctx.storage.capabilities.ownerRequired) {
      // The digest of a small archive is known already: store it while validating the bytes
      // (unless the store places blobs by their owner, which only validation names).
      state.digest = await taken.digest;
      startStoring(state, ctx, taken, state.digest);
    }
    // A large archive is still being copied or hashed on the other core: validate meanwhile.
    const [report, digest] = await Promise.all([validateTaken(ctx, taken), taken.digest]);
    state.digest = digest;
    if (!report.valid || !report.metadata) throw invalidPackageError(report);
    state.metadata = report.metadata;
    return { files: report.fileCount };
  },
  // The put started here may be in flight: wait for it, then remove what it stored.
  undo: removeStoredBlob,
};

/** Validates what intake took: from memory, through the copy still being made, or as a file. */
async function validateTaken(ctx: CoreContext, taken: IntakeResult): Promise<ValidationReport> {
  // The registry's version scheme judges version and ranges, not the validator's default.
  const options = { versioning: ctx.versioning };
  if (taken.bytes && ctx.validation.validateBytes) return ctx.validation.validateBytes(taken.bytes, options);
  if (taken.source && ctx.validation.validateSource) return ctx.validation.validateSource(taken.source, options);
  return ctx.validation.validateFile(await tempFileOf(ctx, taken), options);
}

/** Starts storing without waiting for the store to finish; the store step (or an undo) waits. */
function startStoring(state: PublishState, ctx: CoreContext, taken: IntakeResult, digest: Digest): void {
  state.blobCreated = true;
  const storing = storeArchive(ctx, taken, digest, undefined);
  // Awaited later; a failure meanwhile must not surface as an unhandled rejection.
  storing.catch(() => undefined);
  state.storing = storing;
}

/** Bytes held in memory go to putBytes when the store has it; anything else goes as a file. */
async function storeArchive(ctx: CoreContext, taken: IntakeResult, digest: Digest, owner: BlobOwner | undefined): Promise<void> {
  if (taken.bytes && ctx.storage.putBytes) return ctx.storage.putBytes(digest, taken.bytes, owner);
  return ctx.storage.put(digest, taken.size, await tempFileOf(ctx, taken), owner);
}

/** The package validation named, once it has. */
function ownerOf(state: PublishState): BlobOwner | undefined {
  return state.metadata ? { name: state.metadata.name, version: state.metadata.version } : undefined;
}

/**
 * Removes the blob this publish stored, unless a version refers to it. Not asking the store first
 * saves a round trip per publish: if the blob was already there it is an orphan (no row refers to
 * it, or checkExisting would have found one), so removing it is what gc would do. A process
 * publishing the very same bytes at that moment is covered in `index`.
 */
async function removeStoredBlob(state: PublishState, ctx: CoreContext): Promise<void> {
  if (state.storing) await state.storing.catch(() => undefined);
  const digest = state.digest;
  if (!digest || !state.blobCreated) return;
  state.blobCreated = false; // once, whichever step's undo gets here first
  await removeUnreferencedBlob(ctx, digest, ownerOf(state));
}

/**
 * The identity again, through the registry's versioning provider: a validator of a third party
 * may not check versions at all, and the core must never index a version its scheme cannot read.
 */
const checkVersions: Step<PublishState> = {
  name: 'checkVersions',
  async run(state, ctx) {
    const m = need(state.metadata);
    const issues = checkIdentity(m, ctx.versioning, ctx.limits);
    if (issues.length > 0) throw invalidPackageError({ valid: false, name: m.name, version: m.version, errors: issues });
    return { dependencies: Object.keys(m.dependencies ?? {}).length };
  },
};

const checkExisting: Step<PublishState> = {
  name: 'checkExisting',
  async run(state, ctx) {
    const m = need(state.metadata);
    const found = await ctx.metadata.getVersion(m.name, m.version);
    if (found && found.digest !== need(state.digest)) throw versionExistsError(found, need(state.digest));
    if (found) state.existing = found;
  },
};

const store: Step<PublishState> = {
  name: 'store',
  async run(state, ctx) {
    const digest = need(state.digest);
    if (state.storing) {
      await state.storing;
      return { stored: true, duringValidation: true };
    }
    if (state.existing) {
      // An identical republish with its blob in place changes nothing; a missing blob is healed.
      if (await ctx.storage.stat(digest, ownerOf(state))) return { stored: false };
    }
    state.blobCreated = true;
    await storeArchive(ctx, need(state.intake), digest, ownerOf(state));
    return { stored: true };
  },
  undo: removeStoredBlob,
};

const index: Step<PublishState> = {
  name: 'index',
  async run(state, ctx) {
    if (state.existing) {
      state.record = state.existing;
      return;
    }
    const m = need(state.metadata);
    const { size } = need(state.intake);
    const digest = need(state.digest);
    const record: VersionRecord = { name: m.name, version: m.version, digest, size, publishedAt: ctx.clock().toISOString(), metadata: m };
    state.candidate = record;
    const outcome = await ctx.metadata.insertVersion(record);
    if (outcome.status === 'conflict') throw versionExistsError(outcome.existing, digest);
    if (outcome.status === 'unchanged') {
      // Another process published the identical bytes between checkExisting and here.
      state.record = outcome.existing;
      return;
    }
    state.inserted = true;
    state.record = record;
    // A gc, a delete or a failed publish of the same bytes, in another process, may have removed
    // the blob between store and insert (it was unreferenced then). This version refers to it
    // now, so no removal takes it again (blob-removal.ts): store it once more when the bytes are
    // still at hand, else refuse rather than leave a version without its archive.
    const owner = ownerOf(state);
    let present = (await ctx.storage.stat(digest, owner)) !== undefined;
    if (!present && state.intake?.bytes) {
      await storeArchive(ctx, state.intake, digest, owner);
      present = (await ctx.storage.stat(digest, owner)) !== undefined;
    }
    if (!present) {
      throw new RegistryError('E_STORE_BLOB_MISSING', `the archive of ${m.name}@${m.version} was removed by a concurrent gc or delete while it was being published; publish it again`, { name: m.name, version: m.version, expected: digest, hint: 'Publish again; avoid running `pakt gc` while publishing.' });
    }
  },
  async undo(state, ctx) {
    const mine = state.candidate;
    if (!mine) return;
    if (!state.inserted) {
      // The insert may have happened and its answer been lost: remove the row only if it is ours.
      const row = await ctx.metadata.getVersion(mine.name, mine.version);
      if (!row || row.digest !== mine.digest || row.publishedAt !== mine.publishedAt) return;
    }
    const m = need(state.metadata);
    await ctx.metadata.deleteVersion(m.name, m.version);
    // The search step may have run in part; the metadata is the truth, copy it back.
    await syncSearchEntry(ctx, m.name);
  },
};

const updateSearch: Step<PublishState> = {
  name: 'updateSearch',
  async run(state, ctx) {
    if (state.inserted) await syncSearchEntry(ctx, need(state.metadata).name);
  },
};

const audit: Step<PublishState> = {
  name: 'audit',
  async run(state, ctx) {
    const r = need(state.record);
    await recordAudit(ctx, { action: 'publish', outcome: 'success', name: r.name, version: r.version, digest: r.digest, detail: { size: r.size, status: state.inserted ? 'published' : 'unchanged' } });
  },
};

export const PUBLISH_STEPS: ReadonlyArray<Step<PublishState>> = [intake, validate, checkVersions, checkExisting, store, index, updateSearch, audit];

export async function publishPipeline(ctx: CoreContext, input: PublishInput): Promise<{ result: PublishResult; steps: StepReport[] }> {
  const state: PublishState = { input, blobCreated: false, inserted: false };
  try {
    const steps = await runSteps(PUBLISH_STEPS, state, ctx);
    const result: PublishResult = { ...need(state.record), status: state.inserted ? 'published' : 'unchanged' };
    return { result, steps };
  } catch (err) {
    const error = err as RegistryError;
    // The refusal is recorded; if even that fails, the caller still gets the original error.
    await recordAudit(ctx, {
      action: 'publish',
      outcome: 'failure',
      ...(state.metadata ? { name: state.metadata.name, version: state.metadata.version } : {}),
      ...(state.digest ? { digest: state.digest } : {}),
      code: error.code,
      message: error.message,
    }).catch((auditErr: unknown) => {
      error.details['auditError'] = auditErr instanceof Error ? auditErr.message : String(auditErr);
    });
    throw error;
  } finally {
    // Usually gone already (put moves it); a synchronous unlink of a missing file costs a
    // syscall, where the promise form would cost two thread-pool round trips per publish.
    if (state.intake) {
      state.intake.stop();
      if (state.intake.tempPath !== undefined) rmSync(state.intake.tempPath, { force: true });
    }
  }
}

/** Checks an archive exactly as publish would, without storing anything. */
export async function validatePipeline(ctx: CoreContext, input: PublishInput): Promise<ValidateResult> {
  const taken = await intakeToTempFile(ctx, input);
  try {
    const [validated, digest] = await Promise.all([validateTaken(ctx, taken), taken.digest]);
    const report = withIdentity(validated, ctx);
    const result: ValidateResult = { valid: report.valid, digest, size: taken.size, errors: report.errors };
    if (report.name !== undefined) result.name = report.name;
    if (report.version !== undefined) result.version = report.version;
    return result;
  } finally {
    taken.stop();
    if (taken.tempPath !== undefined) rmSync(taken.tempPath, { force: true });
  }
}

/** A report the validator passed, held to the registry's versioning as publish's checkVersions holds it. */
function withIdentity(report: ValidationReport, ctx: CoreContext): ValidationReport {
  if (!report.valid || !report.metadata) return report;
  const issues = checkIdentity(report.metadata, ctx.versioning, ctx.limits);
  if (issues.length === 0) return report;
  const { metadata: _metadata, manifest: _manifest, fileCount: _files, unpackedBytes: _bytes, ...rest } = report;
  return { ...rest, valid: false, errors: issues };
}

function invalidPackageError(report: ValidationReport): RegistryError {
  const first = report.errors[0];
  const subject = report.name && report.version ? `${report.name}@${report.version}` : 'the archive';
  if (!first) {
    return new RegistryError('E_INTERNAL', `the validation provider refused ${subject} without saying why`, { errors: [] });
  }
  const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more problem${report.errors.length > 2 ? 's' : ''})` : '';
  return new RegistryError(first.code, `${subject} is not a valid package: ${first.message}${more}`, {
    ...(first.path !== undefined ? { path: first.path } : {}),
    errors: report.errors,
  });
}

function versionExistsError(existing: VersionRecord, digest: string): RegistryError {
  return new RegistryError(
    'E_VERSION_EXISTS',
    `${existing.name}@${existing.version} is already published with other bytes (published versions are immutable)\n  Published: ${existing.digest}\n  This file: ${digest}`,
    { name: existing.name, version: existing.version, expected: existing.digest, found: digest },
  );
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new RegistryError('E_INTERNAL', 'publish step ran before the step that provides its input');
  return value;
}
