/**
 * The parts of `pakt policy set` and `pakt policy show`, one per capability that keeps a policy:
 * each declares its options, plans the document writes for what was given, and describes itself.
 * `policy set` applies every part's writes in one batch (all or nothing) and audits them as one
 * `policy-set`. The signature requirement (`--require-signatures <pattern>`, issue #12) joins as
 * one more entry here, with its own document kind.
 */
import { formatDuration, parseDuration, parseLevel, planPolicyChange, readAdvisoryPolicy, readExemptions, RegistryError, type PolicyChanges } from '../../index.js';
import type { DocumentWrite, MetadataProvider } from '../../contracts/index.js';
import type { CommandArgs, OptionSpec } from '../command.js';

export interface PolicyPart {
  /** The key of this part in `policy show --json`. */
  readonly key: string;
  /** Options of `policy set` this part reads. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The writes for the options given (null when none of this part's were), and what changes. */
  plan(values: CommandArgs['values'], metadata: MetadataProvider): Promise<{ writes: readonly DocumentWrite[]; changed: readonly string[]; detail: unknown } | null>;
  /** This part of `policy show`. */
  show(metadata: MetadataProvider, now: Date): Promise<{ json: unknown; lines: readonly string[] }>;
}

const advisoryPart: PolicyPart = {
  key: 'advisories',
  options: {
    block: { type: 'string', description: 'refuse at this severity and above: low, moderate, high (default), critical, none' },
    warn: { type: 'string', description: 'warn at this severity and above (below --block): low (default), moderate, high, critical, none' },
    'max-advisory-age': { type: 'string', description: 'refuse decisions and scans on an advisory database older than this (e.g. 7d, 36h); none for no limit' },
    'unknown-as': { type: 'string', description: 'the severity an advisory without one counts as: low, moderate, high (default), critical' },
    'on-scanner-failure': { type: 'string', description: 'fail-closed (default: refuse while advisories cannot be checked) or fail-open (allow, with a warning)' },
  },
  async plan(values, metadata) {
    const changes: PolicyChanges = {};
    if (typeof values['block'] === 'string') changes.block = parseLevel(values['block'], '--block');
    if (typeof values['warn'] === 'string') changes.warn = parseLevel(values['warn'], '--warn');
    if (typeof values['unknown-as'] === 'string') changes.unknownAs = parseLevel(values['unknown-as'], '--unknown-as', false) as PolicyChanges['unknownAs'];
    const age = values['max-advisory-age'];
    if (typeof age === 'string') changes.maxAdvisoryAgeHours = ['none', 'off'].includes(age.trim().toLowerCase()) ? null : parseDuration(age, '--max-advisory-age') / 3_600_000;
    const failure = values['on-scanner-failure'];
    if (typeof failure === 'string') {
      if (failure !== 'fail-closed' && failure !== 'fail-open') throw new RegistryError('E_INVALID_ARGUMENT', `--on-scanner-failure must be fail-closed or fail-open, got '${failure.slice(0, 40)}'`, { path: '--on-scanner-failure', found: failure });
      changes.onScannerFailure = failure;
    }
    if (Object.keys(changes).length === 0) return null;
    const plan = planPolicyChange(await readAdvisoryPolicy(metadata.documents), changes);
    return { writes: plan.writes, changed: plan.changed, detail: { ...plan.policy } };
  },
  async show(metadata, now) {
    const { policy, stored, updatedAt } = await readAdvisoryPolicy(metadata.documents);
    const exemptions = await readExemptions(metadata.documents);
    const active = exemptions.filter((e) => Date.parse(e.expires) > now.getTime()).length;
    const age = policy.maxAdvisoryAgeHours === null ? null : formatDuration(Math.round(policy.maxAdvisoryAgeHours * 3_600_000));
    return {
      json: { ...policy, maxAdvisoryAge: age, stored, ...(updatedAt ? { updatedAt } : {}), exemptions: { active, expired: exemptions.length - active } },
      lines: [
        `advisories${stored ? '' : ' (defaults: no policy was set)'}:`,
        `  block               ${policy.block === 'none' ? 'none' : `${policy.block} and above`}`,
        `  warn                ${policy.warn === 'none' ? 'none' : `${policy.warn} and above`}`,
        `  unknown severity    counts as ${policy.unknownAs}`,
        `  max advisory age    ${age ?? 'no limit'}`,
        `  on scanner failure  ${policy.onScannerFailure}`,
        `  exemptions          ${active} active, ${exemptions.length - active} expired (\`pakt policy exemptions\`)`,
      ],
    };
  },
};

export const POLICY_PARTS: readonly PolicyPart[] = [advisoryPart];
