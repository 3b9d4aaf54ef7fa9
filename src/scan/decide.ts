/**
 * The policy decision the gates call (publish, download, install): may this version be used?
 *
 *   const decision = await decidePolicy(deps, { operation: 'download', name: 'app', version: '1.0.0' });
 *   if (decision.outcome === 'block') throw decisionError(decision);
 *   for (const line of decision.warnings) warn(line);
 *
 * The version's own advisories and those of the versions its dependencies resolve to in this
 * store (advisories imported after it was published count) are classified by the policy; an
 * active exemption lowers a finding to `info`. The outcome is `block` when any finding is at the
 * block level (E_POLICY_BLOCKED), when the database is too old (E_ADVISORIES_STALE), or when the
 * scanner cannot answer and the policy is fail-closed; `warn` when a finding is at the warn level
 * or the scanner failed under fail-open; else `allow`. The message names every advisory, the path
 * to it, its fixed versions and the command that exempts it.
 *
 * Every decision an exemption allowed is audited (`exemption-applied`), as is every decision
 * allowed although the scanner failed (`policy-fail-open`).
 */
import type { AdvisoryDbInfo, MetadataProvider, ScannerProvider, VersioningProvider } from '../contracts/index.js';
import { RegistryError, type ErrorCode } from '../errors.js';
import { nowOf, recordScanAudit, type AuditDeps } from './audit.js';
import { classify, type ClassifiedFinding } from './classify.js';
import { exemptCommand } from './exemptions.js';
import { FindingEngine, type Finding, type Unresolved } from './findings.js';
import { prepareGate, scannerFailure } from './gate.js';
import type { AdvisoryPolicy } from './policy.js';

export interface DecisionDeps extends AuditDeps {
  readonly metadata: MetadataProvider;
  readonly versioning: VersioningProvider;
  readonly scanner: ScannerProvider;
}

export type GateOperation = 'publish' | 'download' | 'install';

export interface GateSubject {
  readonly operation: GateOperation;
  readonly name: string;
  readonly version: string;
  /** The dependencies of a version not stored yet (a publish): its metadata.json's. */
  readonly dependencies?: Readonly<Record<string, string>>;
}

export interface PolicyDecision {
  readonly outcome: 'allow' | 'warn' | 'block';
  /** Why it was refused (outcome block). */
  readonly code?: ErrorCode;
  readonly subject: GateSubject;
  readonly policy: AdvisoryPolicy;
  readonly db?: AdvisoryDbInfo;
  /** Every finding with its level (exempted ones at `info`, with their exemption). */
  readonly findings: readonly ClassifiedFinding[];
  /** One line per warning, for stderr and `--json` `warnings`. */
  readonly warnings: readonly string[];
  /** What a person reads when the outcome is block (or warn); empty for allow. */
  readonly message: string;
  readonly unresolved?: Unresolved;
  /** Why nothing was checked (the gate is off), when so. */
  readonly skipped?: string;
}

/** One advisory that refused the operation, as E_POLICY_BLOCKED's details.findings lists it. */
export interface BlockingFinding extends Pick<Finding, 'advisory' | 'aliases' | 'severity' | 'affected' | 'via' | 'fixed'> {
  /** The command that exempts it (a reason and an expiry still to be filled in). */
  readonly exempt: string;
}

/** `lodash@4.17.20` reached through app@1.0.0 → lib@2.0.0 → lodash@4.17.20, or "itself". */
export function pathText(f: { name: string; version: string; via: readonly string[] }): string {
  return f.via.length === 0 ? `${f.name}@${f.version} itself` : `${[`${f.name}@${f.version}`, ...f.via].join(' → ')}`;
}

function findingLines(f: ClassifiedFinding): string[] {
  const aka = f.aliases.length > 0 ? `; also ${f.aliases.join(', ')}` : '';
  return [
    `${f.advisory} (${f.severity}${aka})${f.summary ? ` ${f.summary}` : ''}`,
    `  in ${f.affected.name}@${f.affected.version}, through ${pathText(f)}`,
    `  ${f.fixed.length > 0 ? `fixed in ${f.fixed.join(', ')}` : 'no fixed version is known'}`,
    `  if it does not apply: ${exemptCommand(f.advisory, f.name)}`,
  ];
}

export function warningLine(f: ClassifiedFinding): string {
  return `${f.advisory} (${f.severity}) in ${f.affected.name}@${f.affected.version} through ${pathText(f)}; ${f.fixed.length > 0 ? `fixed in ${f.fixed.join(', ')}` : 'no fixed version known'}`;
}

function levelText(policy: AdvisoryPolicy): string {
  return policy.block === 'none' ? 'blocks nothing' : `blocks ${policy.block} and above`;
}

export async function decidePolicy(deps: DecisionDeps, subject: GateSubject): Promise<PolicyDecision> {
  const now = nowOf(deps);
  const gate = await prepareGate(deps, now);
  const label = `${subject.operation} of ${subject.name}@${subject.version}`;
  const base = { subject, policy: gate.policy, ...('db' in gate && gate.db ? { db: gate.db } : {}) };
  if (gate.state === 'off') return { ...base, outcome: 'allow', findings: [], warnings: [], message: '', skipped: gate.reason };
  if (gate.state === 'stale') return { ...base, outcome: 'block', code: 'E_ADVISORIES_STALE', findings: [], warnings: [], message: `${label} refused: ${gate.error.message}` };

  let failure: RegistryError | undefined = gate.state === 'failed' ? gate.error : undefined;
  let findings: ClassifiedFinding[] = [];
  let unresolved: Unresolved | undefined;
  if (!failure) {
    try {
      const engine = new FindingEngine(deps);
      const found = await engine.findingsOf(subject.name, subject.version, subject.dependencies ? { candidate: subject.dependencies } : {});
      findings = found.findings.map((f) => classify(f, gate.policy, gate.exemptions, now));
      unresolved = found.unresolved;
    } catch (err) {
      failure = scannerFailure(err, deps.scanner);
      if (failure.code !== 'E_ADVISORIES_UNREADABLE' && failure.code !== 'E_ADVISORIES_BUSY') throw failure;
    }
  }
  if (failure) {
    if (gate.policy.onScannerFailure === 'fail-closed') {
      return { ...base, outcome: 'block', code: failure.code, findings: [], warnings: [], message: `${label} refused: the advisories could not be checked (${failure.message}), and the policy is fail-closed` };
    }
    const line = `advisories not checked for ${subject.name}@${subject.version} (${failure.code}: ${failure.message}); allowed because the policy is fail-open`;
    await recordScanAudit(deps, { action: 'policy-fail-open', outcome: 'success', name: subject.name, version: subject.version, code: failure.code, message: failure.message.slice(0, 2000), detail: { operation: subject.operation } });
    return { ...base, outcome: 'warn', findings: [], warnings: [line], message: line };
  }

  for (const f of findings) {
    if (!f.exemption) continue;
    await recordScanAudit(deps, {
      action: 'exemption-applied',
      outcome: 'success',
      name: subject.name,
      version: subject.version,
      detail: { operation: subject.operation, advisory: f.advisory, level: f.exemptedLevel, affected: `${f.affected.name}@${f.affected.version}`, via: f.via, packages: f.exemption.packages, reason: f.exemption.reason, expires: f.exemption.expires },
    });
  }
  const blocking = findings.filter((f) => f.level === 'block');
  const warnings = findings.filter((f) => f.level === 'warn').map(warningLine);
  if (unresolved) warnings.push(`the dependencies of ${subject.name}@${subject.version} do not resolve in this store, so only the version itself was checked (${unresolved.message.split('\n')[0]})`);
  if (blocking.length > 0) {
    const lines = [`${label} refused by the advisory policy (it ${levelText(gate.policy)}): ${blocking.length} advisor${blocking.length > 1 ? 'ies' : 'y'}`];
    for (const f of blocking) lines.push(...findingLines(f).map((l) => `  ${l}`));
    return { ...base, outcome: 'block', code: 'E_POLICY_BLOCKED', findings, warnings, message: lines.join('\n'), ...(unresolved ? { unresolved } : {}) };
  }
  return { ...base, outcome: warnings.length > 0 ? 'warn' : 'allow', findings, warnings, message: warnings.join('\n'), ...(unresolved ? { unresolved } : {}) };
}

/**
 * The error a gate throws for a refused decision: E_POLICY_BLOCKED with every blocking advisory,
 * or the code of why nothing could be checked (stale or missing database, a failing scanner).
 */
export function decisionError(decision: PolicyDecision): RegistryError {
  if (decision.outcome !== 'block' || !decision.code) {
    throw new RegistryError('E_INTERNAL', `decisionError called for a decision that was not refused (${decision.outcome})`);
  }
  const { name, version, operation } = decision.subject;
  if (decision.code !== 'E_POLICY_BLOCKED') return new RegistryError(decision.code, decision.message, { name, version });
  const blocking = decision.findings.filter((f) => f.level === 'block');
  const first = blocking[0];
  const findings = blocking.map((f): BlockingFinding => ({
    advisory: f.advisory,
    aliases: f.aliases,
    severity: f.severity,
    affected: f.affected,
    via: f.via,
    fixed: f.fixed,
    exempt: exemptCommand(f.advisory, f.name),
  }));
  const hint = !first
    ? undefined
    : first.fixed.length > 0
      ? `Use ${first.affected.name} ${first.fixed[0]} or later (publish or require it), or if ${first.advisory} does not apply: ${exemptCommand(first.advisory, first.name)}`
      : `No fixed version of ${first.affected.name} is known; if ${first.advisory} does not apply: ${exemptCommand(first.advisory, first.name)}`;
  return new RegistryError('E_POLICY_BLOCKED', decision.message, { operation, name, version, findings, ...(hint !== undefined ? { hint } : {}) });
}
