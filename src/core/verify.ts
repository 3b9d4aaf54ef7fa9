/**
 * `verify`: named, timed steps over the whole store (after cacache's lib/verify.js):
 *
 *   sweepTmp → collectReferences → verifyBlobs → findOrphans → checkAudit
 *
 * Every archive a version refers to is re-hashed through the store's verifying reader. A missing
 * archive and a corrupt one are reported with the versions that refer to them; a corrupt one is
 * quarantined (kept for inspection, out of the way). Orphans (archives no version refers to) are
 * counted: they are what `gc` would remove. Audit sinks that can check their own integrity (the
 * pino sink's hash chain) are asked to. Nothing here deletes or rewrites metadata.
 */
import type { BlobOwner, Digest } from '../contracts/index.js';
import { isRegistryError, type ErrorCode } from '../errors.js';
import { recordAudit, type CoreContext } from './context.js';
import { runSteps, type Step } from './steps.js';
import type { AuditCheck, PackageRef, ProgressCallback, VerifyResult } from './types.js';

interface VerifyState {
  readonly onProgress: ProgressCallback | undefined;
  refs: Map<Digest, PackageRef[]>;
  checked: number;
  corrupt: PackageRef[];
  missing: PackageRef[];
  orphans: { count: number; bytes: number };
  audit: AuditCheck[];
}

const sweepTmp: Step<VerifyState> = {
  name: 'sweepTmp',
  async run(_state, ctx) {
    return ctx.temp.sweep();
  },
};

const collectReferences: Step<VerifyState> = {
  name: 'collectReferences',
  async run(state, ctx) {
    let versions = 0;
    for await (const r of ctx.metadata.allVersions()) {
      versions += 1;
      const ref: PackageRef = { name: r.name, version: r.version, digest: r.digest };
      const list = state.refs.get(r.digest);
      if (list) list.push(ref);
      else state.refs.set(r.digest, [ref]);
    }
    return { versions, archives: state.refs.size };
  },
};

const verifyBlobs: Step<VerifyState> = {
  name: 'verifyBlobs',
  async run(state, ctx) {
    let bytes = 0;
    const total = state.refs.size;
    for (const [digest, refs] of state.refs) {
      const outcome = await checkBlob(ctx, digest, refs[0]);
      if (outcome === 'missing') state.missing.push(...refs);
      else if (outcome === 'corrupt') state.corrupt.push(...refs);
      else bytes += outcome;
      state.checked += 1;
      state.onProgress?.(state.checked, total);
    }
    return { checked: state.checked, bytes, missing: state.missing.length, corrupt: state.corrupt.length };
  },
};

const findOrphans: Step<VerifyState> = {
  name: 'findOrphans',
  async run(state, ctx) {
    for await (const blob of ctx.storage.list()) {
      if (state.refs.has(blob.digest)) continue;
      state.orphans.count += 1;
      state.orphans.bytes += blob.size;
    }
    return { ...state.orphans };
  },
};

const checkAudit: Step<VerifyState> = {
  name: 'checkAudit',
  async run(state, ctx) {
    for (const sink of ctx.auditSinks) {
      if (!sink.verifyIntegrity) continue;
      const check = await sink.verifyIntegrity();
      state.audit.push({ sink: sink.info.name, ...check });
    }
    return { sinks: state.audit.length, problems: state.audit.reduce((n, a) => n + a.problems.length, 0) };
  },
};

export const VERIFY_STEPS: ReadonlyArray<Step<VerifyState>> = [sweepTmp, collectReferences, verifyBlobs, findOrphans, checkAudit];

/** Reads the blob through the verifying reader: its size when good, or what is wrong. */
async function checkBlob(ctx: CoreContext, digest: Digest, owner: BlobOwner | undefined): Promise<number | 'missing' | 'corrupt'> {
  if (!(await ctx.storage.stat(digest, owner))) return 'missing';
  let size = 0;
  try {
    for await (const chunk of await ctx.storage.get(digest, owner)) size += (chunk as Buffer).length;
    return size;
  } catch (err) {
    if (isRegistryError(err, 'E_STORE_BLOB_MISSING')) return 'missing';
    if (!isRegistryError(err, 'E_STORE_INTEGRITY')) throw err;
    // The contract has the store quarantine on a failed read; make sure of it for any provider.
    if (await ctx.storage.stat(digest, owner)) await ctx.storage.quarantine(digest, `verify: ${err.message}`, owner);
    return 'corrupt';
  }
}

export async function verifyPipeline(ctx: CoreContext, onProgress?: ProgressCallback): Promise<VerifyResult> {
  const state: VerifyState = { onProgress, refs: new Map(), checked: 0, corrupt: [], missing: [], orphans: { count: 0, bytes: 0 }, audit: [] };
  const steps = await runSteps(VERIFY_STEPS, state, ctx);
  const failure: ErrorCode | undefined = state.corrupt.length > 0 ? 'E_STORE_INTEGRITY' : state.missing.length > 0 ? 'E_STORE_BLOB_MISSING' : state.audit.some((a) => !a.ok) ? 'E_AUDIT_TAMPERED' : undefined;
  const ok = state.corrupt.length === 0 && state.missing.length === 0 && state.audit.every((a) => a.ok);
  await recordAudit(ctx, {
    action: 'verify',
    outcome: ok ? 'success' : 'failure',
    ...(failure ? { code: failure } : {}),
    detail: { checked: state.checked, corrupt: state.corrupt.length, missing: state.missing.length, orphans: state.orphans.count },
  });
  return { ok, checked: state.checked, corrupt: state.corrupt, missing: state.missing, orphans: state.orphans, audit: state.audit, steps };
}
