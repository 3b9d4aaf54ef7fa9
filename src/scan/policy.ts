/**
 * The advisory policy, one document of kind `advisory-policy` (key `default`) in the metadata's
 * documents facet:
 *
 *   { "version": 1, "block": "high", "warn": "low", "unknownAs": "high",
 *     "maxAdvisoryAgeHours": 168, "onScannerFailure": "fail-closed" }
 *
 * - block / warn: a finding whose severity is at or above `block` refuses the operation; at or
 *   above `warn` (and below block) it is allowed with a warning; `none` switches either off.
 * - unknownAs: the severity an advisory without one counts as.
 * - maxAdvisoryAgeHours: a decision (or scan) on a database imported longer ago than this fails
 *   with E_ADVISORIES_STALE; null for no limit.
 * - onScannerFailure: `fail-closed` (default) refuses gated operations while the scanner cannot
 *   answer (its database unreadable, or missing although a policy was set); `fail-open` allows
 *   them with a warning, and audits each.
 *
 * Without a stored document the defaults apply (DEFAULT_ADVISORY_POLICY), and a store with no
 * advisory database is not gated at all; once a policy is set, a missing database is a scanner
 * failure. Only this module reads or writes the kind.
 */
import type { DocumentStore, DocumentWrite, MetadataProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { recordScanAudit, type AuditDeps } from './audit.js';
import { formatDuration } from './duration.js';
import { rankOf, SEVERITIES, type KnownSeverity, type PolicyLevel } from './severity.js';

export const ADVISORY_POLICY_KIND = 'advisory-policy';
export const ADVISORY_POLICY_KEY = 'default';

export type ScannerFailureMode = 'fail-closed' | 'fail-open';

export interface AdvisoryPolicy {
  readonly block: PolicyLevel;
  readonly warn: PolicyLevel;
  readonly unknownAs: KnownSeverity;
  readonly maxAdvisoryAgeHours: number | null;
  readonly onScannerFailure: ScannerFailureMode;
}

export const DEFAULT_ADVISORY_POLICY: AdvisoryPolicy = Object.freeze({
  block: 'high',
  warn: 'low',
  unknownAs: 'high',
  maxAdvisoryAgeHours: null,
  onScannerFailure: 'fail-closed',
});

export interface StoredPolicy {
  readonly policy: AdvisoryPolicy;
  /** True when a policy document exists (it was set); false when the defaults apply. */
  readonly stored: boolean;
  /** The document's revision (0 when none), for compare-and-set. */
  readonly revision: number;
  readonly updatedAt?: string;
}

export interface PolicyChanges {
  block?: PolicyLevel;
  warn?: PolicyLevel;
  unknownAs?: KnownSeverity;
  /** null removes the limit. */
  maxAdvisoryAgeHours?: number | null;
  onScannerFailure?: ScannerFailureMode;
}

const LEVELS: readonly string[] = [...SEVERITIES, 'none'];

function invalid(what: string): never {
  throw new RegistryError('E_POLICY_INVALID', `the stored advisory policy (documents kind '${ADVISORY_POLICY_KIND}', key '${ADVISORY_POLICY_KEY}') ${what}`, { kind: ADVISORY_POLICY_KIND, key: ADVISORY_POLICY_KEY });
}

/** The policy in a stored document; E_POLICY_INVALID for anything this module did not write. */
export function parsePolicyDocument(value: unknown): AdvisoryPolicy {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid('is not an object');
  const v = value as Record<string, unknown>;
  if (v['version'] !== 1) invalid(`has version ${JSON.stringify(v['version'])}; this pakt reads version 1`);
  const level = (key: string): PolicyLevel => {
    if (typeof v[key] !== 'string' || !LEVELS.includes(v[key] as string)) invalid(`has ${key} ${JSON.stringify(v[key])}`);
    return v[key] as PolicyLevel;
  };
  const block = level('block');
  const warn = level('warn');
  if (typeof v['unknownAs'] !== 'string' || !(SEVERITIES as readonly string[]).includes(v['unknownAs'])) invalid(`has unknownAs ${JSON.stringify(v['unknownAs'])}`);
  const age = v['maxAdvisoryAgeHours'];
  if (age !== null && (typeof age !== 'number' || !Number.isFinite(age) || age <= 0)) invalid(`has maxAdvisoryAgeHours ${JSON.stringify(age)}`);
  const failure = v['onScannerFailure'];
  if (failure !== 'fail-closed' && failure !== 'fail-open') invalid(`has onScannerFailure ${JSON.stringify(failure)}`);
  return { block, warn, unknownAs: v['unknownAs'] as KnownSeverity, maxAdvisoryAgeHours: age as number | null, onScannerFailure: failure };
}

export function policyDocument(policy: AdvisoryPolicy): Record<string, unknown> {
  return { version: 1, ...policy };
}

/** The policy in force: the stored one, or the defaults (also for metadata without documents). */
export async function readAdvisoryPolicy(documents: DocumentStore | undefined): Promise<StoredPolicy> {
  if (!documents) return { policy: DEFAULT_ADVISORY_POLICY, stored: false, revision: 0 };
  const doc = await documents.get(ADVISORY_POLICY_KIND, ADVISORY_POLICY_KEY);
  if (!doc) return { policy: DEFAULT_ADVISORY_POLICY, stored: false, revision: 0 };
  return { policy: parsePolicyDocument(doc.value), stored: true, revision: doc.revision, updatedAt: doc.updatedAt };
}

export interface PolicyPlan {
  readonly policy: AdvisoryPolicy;
  /** One conditional put (compare-and-set on the revision read). */
  readonly writes: readonly DocumentWrite[];
  /** The settings that change, e.g. ["block: high → critical"]. */
  readonly changed: readonly string[];
}

/** The new policy and the write that stores it; refuses a warn level above the block level. */
export function planPolicyChange(current: StoredPolicy, changes: PolicyChanges): PolicyPlan {
  const before = current.policy;
  const next: AdvisoryPolicy = {
    block: changes.block ?? before.block,
    warn: changes.warn ?? before.warn,
    unknownAs: changes.unknownAs ?? before.unknownAs,
    maxAdvisoryAgeHours: changes.maxAdvisoryAgeHours !== undefined ? changes.maxAdvisoryAgeHours : before.maxAdvisoryAgeHours,
    onScannerFailure: changes.onScannerFailure ?? before.onScannerFailure,
  };
  if (next.block !== 'none' && next.warn !== 'none' && rankOf(next.warn) > rankOf(next.block)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `the warn level (${next.warn}) is above the block level (${next.block}): everything at ${next.block} or above is refused already; choose --warn at or below --block`, { found: { block: next.block, warn: next.warn } });
  }
  const changed: string[] = [];
  for (const key of ['block', 'warn', 'unknownAs', 'maxAdvisoryAgeHours', 'onScannerFailure'] as const) {
    if (next[key] !== before[key] || !current.stored) changed.push(`${key}: ${show(key, before[key])} → ${show(key, next[key])}`);
  }
  return {
    policy: next,
    writes: [{ op: 'put', kind: ADVISORY_POLICY_KIND, key: ADVISORY_POLICY_KEY, value: policyDocument(next), expectRevision: current.revision }],
    changed,
  };
}

function show(key: keyof AdvisoryPolicy, value: AdvisoryPolicy[keyof AdvisoryPolicy]): string {
  if (key === 'maxAdvisoryAgeHours') return value === null ? 'no limit' : formatDuration((value as number) * 3_600_000);
  return String(value);
}

export interface PolicyDeps extends AuditDeps {
  readonly metadata: MetadataProvider;
}

/** The documents facet, or E_PROVIDER_INCOMPATIBLE naming the capability that needs it. */
export function documentsOf(metadata: MetadataProvider, capability = 'the advisory policy'): DocumentStore {
  if (!metadata.documents) {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `metadata provider '${metadata.info.name}' has no documents facet, which ${capability} is stored in; use a metadata provider with documents (sqlite, memory, postgres)`, { found: metadata.info.name });
  }
  return metadata.documents;
}

/** Applies policy writes (of any policy kinds) in one batch and audits them as one `policy-set`. */
export async function commitPolicyWrites(deps: PolicyDeps, writes: readonly DocumentWrite[], detail: Record<string, unknown>): Promise<void> {
  const documents = documentsOf(deps.metadata);
  try {
    await documents.write(writes);
  } catch (err) {
    const code = err instanceof RegistryError ? err.code : 'E_INTERNAL';
    await recordScanAudit(deps, { action: 'policy-set', outcome: 'failure', code, message: err instanceof Error ? err.message : String(err), detail });
    throw err;
  }
  await recordScanAudit(deps, { action: 'policy-set', outcome: 'success', detail });
}

/** Reads, changes and stores the advisory policy (compare-and-set), audited; returns the new one. */
export async function setAdvisoryPolicy(deps: PolicyDeps, changes: PolicyChanges): Promise<PolicyPlan> {
  const current = await readAdvisoryPolicy(documentsOf(deps.metadata));
  const plan = planPolicyChange(current, changes);
  await commitPolicyWrites(deps, plan.writes, { advisories: { ...plan.policy }, changed: plan.changed });
  return plan;
}
