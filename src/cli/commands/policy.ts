import { addExemption, commitPolicyWrites, listExemptions, parseExpiry, removeExemption, RegistryError } from '../../index.js';
import type { DocumentWrite } from '../../contracts/index.js';
import type { Command, CommandArgs, CommandOutcome, OptionSpec } from '../command.js';
import { withScanContext } from '../scan-context.js';
import { POLICY_PARTS } from './policy-settings.js';

const EXEMPT_OPTIONS: Record<string, OptionSpec> = {
  packages: { type: 'string', description: 'exempt / unexempt: the package name or pattern it applies to (e.g. app, @acme/*; default *)' },
  reason: { type: 'string', description: 'exempt: why the advisory does not apply (required, kept and audited)' },
  expires: { type: 'string', description: 'exempt: when it stops applying: a duration (30d), a date (2026-03-31) or an RFC 3339 time (required)' },
};
const SET_OPTIONS: Record<string, OptionSpec> = Object.assign({}, ...POLICY_PARTS.map((p) => p.options));

/** The options each subcommand takes; any other given is a usage error. */
const ACCEPTS: Record<string, readonly string[]> = {
  set: Object.keys(SET_OPTIONS),
  show: [],
  exempt: ['packages', 'reason', 'expires'],
  unexempt: ['packages'],
  exemptions: [],
};
const POSITIONALS: Record<string, number> = { set: 0, show: 0, exempt: 1, unexempt: 1, exemptions: 0 };
const FORMS: Record<string, string> = {
  set: 'policy set [--block <sev>] [--warn <sev>] [--max-advisory-age <dur>] [--unknown-as <sev>] [--on-scanner-failure fail-closed|fail-open]',
  show: 'policy show',
  exempt: 'policy exempt <advisory-id> [--packages <pattern>] --reason "<text>" --expires <date|dur>',
  unexempt: 'policy unexempt <advisory-id> [--packages <pattern>]',
  exemptions: 'policy exemptions',
};

function checkArgs(sub: string, args: CommandArgs): void {
  const extra = Object.keys(args.values).filter((k) => args.values[k] !== undefined && !ACCEPTS[sub]!.includes(k));
  if (extra.length > 0) throw new RegistryError('E_USAGE', `'policy ${sub}' does not take --${extra.join(', --')}: pakt ${FORMS[sub]}`, { hint: 'Run `pakt policy --help`.' });
  const given = args.positionals.length - 1;
  if (given !== POSITIONALS[sub]) throw new RegistryError('E_USAGE', `'policy ${sub}' takes ${POSITIONALS[sub] === 0 ? 'no arguments' : 'one advisory id'}, got ${given}: pakt ${FORMS[sub]}`, { hint: 'Run `pakt policy --help`.' });
}

const policy: Command = {
  name: 'policy',
  usage: 'policy set|show|exempt <id>|unexempt <id>|exemptions [options]',
  summary: 'the advisory policy: block and warn levels, maximum advisory age, exemptions with a reason and an expiry',
  group: 'advisories',
  examples: [
    { command: 'pakt policy set --block high --warn moderate --max-advisory-age 7d', does: 'refuse high and critical advisories, warn at moderate, refuse a database older than a week' },
    { command: 'pakt policy exempt GHSA-35jh-r3h4-6jhm --packages app --reason "app never calls _.template" --expires 30d', does: 'let app use a version with this advisory for 30 days' },
  ],
  options: { ...SET_OPTIONS, ...EXEMPT_OPTIONS },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const sub = args.positionals[0]!;
    if (!Object.hasOwn(ACCEPTS, sub)) throw new RegistryError('E_USAGE', `unknown policy command '${sub.slice(0, 40)}'; use set, show, exempt, unexempt or exemptions`, { hint: 'Run `pakt policy --help`.' });
    checkArgs(sub, args);
    return withScanContext(ctx, async (context): Promise<CommandOutcome> => {
      const now = context.clock();
      if (sub === 'set') {
        const writes: DocumentWrite[] = [];
        const changed: string[] = [];
        const detail: Record<string, unknown> = {};
        for (const part of POLICY_PARTS) {
          const plan = await part.plan(args.values, context.metadata);
          if (!plan) continue;
          writes.push(...plan.writes);
          changed.push(...plan.changed);
          detail[part.key] = plan.detail;
        }
        if (writes.length === 0) throw new RegistryError('E_USAGE', `'policy set' needs at least one of --${Object.keys(SET_OPTIONS).join(', --')}`, { hint: 'Run `pakt policy --help`.' });
        await commitPolicyWrites(context, writes, { ...detail, changed });
      }
      if (sub === 'set' || sub === 'show') {
        const json: Record<string, unknown> = {};
        const lines: string[] = [];
        for (const part of POLICY_PARTS) {
          const shown = await part.show(context.metadata, now);
          json[part.key] = shown.json;
          lines.push(...shown.lines);
        }
        // show answers a question; set reports the policy it stored.
        return sub === 'show' ? { json, text: lines.join('\n') } : { json, confirmation: lines.join('\n') };
      }
      if (sub === 'exempt') {
        const reason = args.values['reason'];
        const expires = args.values['expires'];
        if (typeof reason !== 'string') throw new RegistryError('E_USAGE', 'an exemption needs a reason: --reason "<why the advisory does not apply>"', { hint: `Run pakt ${FORMS['exempt']} with the reason filled in.` });
        if (typeof expires !== 'string') throw new RegistryError('E_USAGE', 'an exemption needs an expiry: --expires 30d (or a date such as 2026-03-31)', { hint: 'Add --expires 30d, or a date such as --expires 2026-03-31.' });
        const packages = typeof args.values['packages'] === 'string' ? args.values['packages'] : undefined;
        const exemption = await addExemption(context, { advisory: args.positionals[1]!, ...(packages !== undefined ? { packages } : {}), reason, expires: parseExpiry(expires, now) });
        return {
          json: { exemption },
          confirmation: `exempted ${exemption.advisory} for packages '${exemption.packages}' until ${exemption.expires}: ${exemption.reason}`,
        };
      }
      if (sub === 'unexempt') {
        const packages = typeof args.values['packages'] === 'string' ? args.values['packages'] : '*';
        const removed = await removeExemption(context, args.positionals[1]!, packages);
        return { json: { removed }, confirmation: `removed the exemption of ${removed.advisory} for packages '${removed.packages}'` };
      }
      const list = await listExemptions(context);
      return {
        json: { exemptions: list },
        text: list.length === 0
          ? 'no exemptions'
          : list.map((e) => `${e.active ? 'active ' : 'expired'} ${e.advisory} for '${e.packages}' until ${e.expires} (by ${e.createdBy}, ${e.createdAt}): ${e.reason}`).join('\n'),
      };
    });
  },
};

export default policy;
