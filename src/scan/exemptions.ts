/**
 * Exemptions: "this advisory does not apply to these packages, for this reason, until then".
 * One document of kind `advisory-exemption` per (advisory id, package pattern), key
 * `<advisory-id> <pattern>`:
 *
 *   { "version": 1, "advisory": "GHSA-35jh-r3h4-6jhm", "packages": "app", "reason": "…",
 *     "expires": "2026-04-01T00:00:00.000Z", "createdAt": "…", "createdBy": "ana" }
 *
 * An exemption applies to a finding when its advisory is the finding's advisory or one of its
 * aliases, its pattern matches the package the decision is about or the affected package, and
 * it has not expired: expiry needs no clean-up, an expired exemption simply stops applying (it is
 * kept, and listed as expired, until removed). Adding, replacing and removing are audited; so is
 * every decision an exemption allowed (decide.ts). Only this module reads or writes the kind.
 */
import type { DocumentStore, StoredDocument } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { nowOf, recordScanAudit } from './audit.js';
import { isValidNamePattern, matchesNamePattern } from './name-pattern.js';
import { isAdvisoryId } from './osv-record.js';
import { documentsOf, type PolicyDeps } from './policy.js';

export const EXEMPTION_KIND = 'advisory-exemption';
const MAX_REASON_CHARS = 2000;

export interface Exemption {
  readonly advisory: string;
  /** Name pattern (`*`, `app`, `@acme/*`). */
  readonly packages: string;
  readonly reason: string;
  /** ISO-8601 UTC. */
  readonly expires: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ListedExemption extends Exemption {
  /** False once expired. */
  readonly active: boolean;
}

export function exemptionKey(advisory: string, packages: string): string {
  return `${advisory} ${packages}`;
}

function invalid(doc: StoredDocument, what: string): never {
  throw new RegistryError('E_POLICY_INVALID', `the stored exemption '${doc.key}' (documents kind '${EXEMPTION_KIND}') ${what}`, { kind: EXEMPTION_KIND, key: doc.key });
}

function parseExemption(doc: StoredDocument): Exemption {
  const v = doc.value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v['version'] !== 1) invalid(doc, 'is not a version 1 exemption');
  for (const key of ['advisory', 'packages', 'reason', 'expires', 'createdAt', 'createdBy'] as const) {
    if (typeof v[key] !== 'string') invalid(doc, `has no ${key}`);
  }
  if (!isAdvisoryId(v['advisory']) || !isValidNamePattern(v['packages']) || doc.key !== exemptionKey(v['advisory'], v['packages'] as string)) invalid(doc, 'does not match its key');
  if (Number.isNaN(Date.parse(v['expires'] as string))) invalid(doc, `has an unreadable expiry ${JSON.stringify(v['expires'])}`);
  return {
    advisory: v['advisory'],
    packages: v['packages'] as string,
    reason: v['reason'] as string,
    expires: v['expires'] as string,
    createdAt: v['createdAt'] as string,
    createdBy: v['createdBy'] as string,
  };
}

/** Every stored exemption (expired ones too), by advisory id then pattern. */
export async function readExemptions(documents: DocumentStore | undefined): Promise<Exemption[]> {
  if (!documents) return [];
  return (await documents.list(EXEMPTION_KIND)).map(parseExemption);
}

export async function listExemptions(deps: PolicyDeps): Promise<ListedExemption[]> {
  const now = nowOf(deps).getTime();
  return (await readExemptions(documentsOf(deps.metadata, 'exemptions'))).map((e) => ({ ...e, active: Date.parse(e.expires) > now }));
}

export function isActive(exemption: Exemption, now: Date): boolean {
  return Date.parse(exemption.expires) > now.getTime();
}

/**
 * The exemption that applies to an advisory (its id and aliases) met by a decision about
 * `subject` through `affected`, or undefined. The one expiring last wins, so a listing shows it.
 */
export function applicableExemption(exemptions: readonly Exemption[], ids: readonly string[], subject: string, affected: string, now: Date): Exemption | undefined {
  let best: Exemption | undefined;
  for (const e of exemptions) {
    if (!ids.includes(e.advisory) || !isActive(e, now)) continue;
    if (!matchesNamePattern(e.packages, subject) && !matchesNamePattern(e.packages, affected)) continue;
    if (!best || Date.parse(e.expires) > Date.parse(best.expires)) best = e;
  }
  return best;
}

/** The command that adds the exemption a blocked decision suggests. */
export function exemptCommand(advisory: string, packages: string): string {
  return `pakt policy exempt ${advisory} --packages ${packages} --reason "<why it does not apply to ${packages}>" --expires 30d`;
}

export interface NewExemption {
  advisory: string;
  /** Default `*`: every package. */
  packages?: string;
  reason: string;
  expires: Date;
}

/** Adds (or replaces) an exemption; audited as `exemption-add`. */
export async function addExemption(deps: PolicyDeps, input: NewExemption): Promise<Exemption> {
  const documents = documentsOf(deps.metadata, 'exemptions');
  const packages = input.packages ?? '*';
  if (!isAdvisoryId(input.advisory)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `'${String(input.advisory).slice(0, 80)}' is not an advisory id (e.g. GHSA-35jh-r3h4-6jhm or CVE-2021-23337)`, { path: 'advisory', found: input.advisory });
  }
  if (!isValidNamePattern(packages)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `--packages '${String(packages).slice(0, 80)}' is not a package name pattern (a name, or a glob such as @acme/* or *)`, { path: 'packages', found: packages });
  }
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason === '') throw new RegistryError('E_USAGE', 'an exemption needs a reason: --reason "<why the advisory does not apply>"', { path: 'reason' });
  if (/^<.*>$/s.test(reason)) throw new RegistryError('E_INVALID_ARGUMENT', `--reason is still the placeholder ${reason.slice(0, 80)}; write why the advisory does not apply`, { path: 'reason' });
  if (reason.length > MAX_REASON_CHARS) throw new RegistryError('E_INVALID_ARGUMENT', `--reason is ${reason.length} characters, max is ${MAX_REASON_CHARS}`, { path: 'reason' });
  const now = nowOf(deps);
  if (!(input.expires instanceof Date) || Number.isNaN(input.expires.getTime()) || input.expires.getTime() <= now.getTime()) {
    throw new RegistryError('E_INVALID_ARGUMENT', `an exemption must expire in the future (now is ${now.toISOString()})`, { path: 'expires' });
  }
  const exemption: Exemption = {
    advisory: input.advisory,
    packages,
    reason,
    expires: input.expires.toISOString(),
    createdAt: now.toISOString(),
    createdBy: deps.actor ?? 'unknown',
  };
  const key = exemptionKey(exemption.advisory, packages);
  const detail = { advisory: exemption.advisory, packages, reason, expires: exemption.expires };
  try {
    await documents.write([{ op: 'put', kind: EXEMPTION_KIND, key, value: { version: 1, ...exemption } }]);
  } catch (err) {
    await recordScanAudit(deps, { action: 'exemption-add', outcome: 'failure', code: err instanceof RegistryError ? err.code : 'E_INTERNAL', message: err instanceof Error ? err.message : String(err), detail });
    throw err;
  }
  await recordScanAudit(deps, { action: 'exemption-add', outcome: 'success', detail });
  return exemption;
}

/** Removes an exemption; E_EXEMPTION_NOT_FOUND when there is none; audited as `exemption-remove`. */
export async function removeExemption(deps: PolicyDeps, advisory: string, packages = '*'): Promise<Exemption> {
  const documents = documentsOf(deps.metadata, 'exemptions');
  const key = exemptionKey(advisory, packages);
  const doc = await documents.get(EXEMPTION_KIND, key);
  if (!doc) {
    throw new RegistryError('E_EXEMPTION_NOT_FOUND', `there is no exemption of ${advisory} for packages '${packages}'`, { advisory, packages });
  }
  const exemption = parseExemption(doc);
  await documents.write([{ op: 'delete', kind: EXEMPTION_KIND, key, expectRevision: doc.revision }]);
  await recordScanAudit(deps, { action: 'exemption-remove', outcome: 'success', detail: { advisory, packages, reason: exemption.reason, expires: exemption.expires } });
  return exemption;
}
