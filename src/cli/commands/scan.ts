import { exemptCommand, parseDuration, RegistryError, scanStore, type ClassifiedFinding, type ScanTarget } from '../../index.js';
import { isValidName } from '../../package/name-version.js';
import type { Command } from '../command.js';
import { count } from '../format.js';
import { startProgress } from '../progress.js';
import { withScanContext } from '../scan-context.js';
import { dbJson } from './advisories.js';

/** `name` (every version) or `name@range` (`name@latest` the latest). */
function targetOf(spec: string): ScanTarget {
  const at = spec.indexOf('@', 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? undefined : spec.slice(at + 1);
  if (!isValidName(name) || range === '') {
    throw new RegistryError('E_USAGE', `'${spec.slice(0, 80)}' is not a package or package@range, e.g. lodash or lodash@^4.17.0`);
  }
  return range === undefined ? { name } : { name, range };
}

function findingJson(f: ClassifiedFinding): Record<string, unknown> {
  return {
    name: f.name,
    version: f.version,
    advisory: f.advisory,
    aliases: f.aliases,
    severity: f.severity,
    via: f.via,
    fixed: f.fixed,
    ...(f.summary !== undefined ? { summary: f.summary } : {}),
    policy: f.level,
    ...(f.exemption ? { exemption: { packages: f.exemption.packages, reason: f.exemption.reason, expires: f.exemption.expires } } : {}),
  };
}

const LABEL = { block: 'BLOCK', warn: 'warn ', info: '     ' } as const;

const scan: Command = {
  name: 'scan',
  usage: 'scan [name[@range]]... [--max-advisory-age <dur>] [--direct-only]',
  summary: 'check stored versions, and what their dependencies resolve to, against the advisories (exit 1 at the block level)',
  group: 'advisories',
  examples: [
    { command: 'pakt scan', does: 'every stored version, directly and through its dependencies' },
    { command: "pakt scan 'lodash@^4.17.0' --max-advisory-age 7d --json", does: 'the 4.17 versions of lodash, refused if the database is older than a week' },
  ],
  options: {
    'max-advisory-age': { type: 'string', value: '<dur>', description: 'refuse an advisory database older than this (e.g. 7d); default: the policy\'s' },
    'direct-only': { type: 'boolean', description: 'check each version itself only, not through its dependencies' },
  },
  positionals: { min: 0, max: Infinity },
  async run(args, ctx) {
    const targets = args.positionals.length > 0 ? args.positionals.map(targetOf) : undefined;
    const maxAge = args.values['max-advisory-age'];
    const maxAdvisoryAgeHours = typeof maxAge === 'string' ? parseDuration(maxAge, '--max-advisory-age') / 3_600_000 : undefined;
    const report = await withScanContext(ctx, async (context) => {
      const progress = startProgress(ctx, 'scanning');
      try {
        return await scanStore(context, {
          ...(targets ? { targets } : {}),
          ...(maxAdvisoryAgeHours !== undefined ? { maxAdvisoryAgeHours } : {}),
          dependencies: args.values['direct-only'] !== true,
          onProgress: (done, total) => progress.tick(done, total),
        });
      } finally {
        progress.done();
      }
    });
    const lines: string[] = [];
    let current = '';
    for (const f of report.findings) {
      const at = `${f.name}@${f.version}`;
      if (at !== current) lines.push(at);
      current = at;
      const via = f.via.length > 0 ? ` via ${f.via.join(' → ')}` : '';
      const fix = f.fixed.length > 0 ? `fixed in ${f.fixed.join(', ')}` : 'no fix known';
      const exempt = f.exemption ? ` (exempted until ${f.exemption.expires}: ${f.exemption.reason})` : '';
      lines.push(`  ${LABEL[f.level]} ${f.severity.padEnd(8)} ${f.advisory}${f.summary ? ` ${f.summary}` : ''}${via}; ${fix}${exempt}`);
    }
    // A version checked only directly is a gap in the answer, so it is a warning (also in --json: unresolved).
    const warnings = report.unresolved.map((u) => `${u.name}@${u.version}: its dependencies do not resolve in this store; checked directly only (${u.message.split('\n')[0]})`);
    const at = (level: string) => report.findings.filter((f) => f.level === level).length;
    const exempted = report.findings.filter((f) => f.exemption).length;
    lines.push(`scanned ${count(report.scanned, 'version')} against ${count(report.db.records, 'advisory', 'advisories')} (database imported ${report.db.importedAt}): ${at('block')} blocking, ${at('warn')} warning, ${at('info') - exempted} below the warn level, ${exempted} exempted`);
    const blocking = new Map<string, ClassifiedFinding>();
    for (const f of report.findings) if (f.level === 'block' && !blocking.has(f.advisory)) blocking.set(f.advisory, f);
    if (blocking.size > 0) {
      lines.push('to exempt an advisory that does not apply (a reason and an expiry are required):');
      for (const f of [...blocking.values()].slice(0, 5)) lines.push(`  ${exemptCommand(f.advisory, f.name)}`);
    }
    return {
      json: { db: dbJson(report.db), findings: report.findings.map(findingJson), scanned: report.scanned, unresolved: report.unresolved },
      text: lines.join('\n'),
      warnings,
      exitCode: report.blocked ? 1 : 0,
    };
  },
};

export default scan;
