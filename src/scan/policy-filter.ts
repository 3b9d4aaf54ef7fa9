/**
 * Resolution that knows the policy: the versions the advisory policy would refuse on their own
 * (a direct finding at the block level, not exempted for that package) are withheld from the
 * resolver (core/resolution.ts `withhold`), so it picks the highest allowed version, and an
 * explanation names the advisories when a range is left with nothing allowed.
 *
 *   const { withhold, warnings } = await policyVersionFilter(deps);
 *   await resolveDependencies(deps, { app: '^1.0.0' }, { withhold });
 *
 * Dependencies need no check of their own here: each package's versions are filtered as the
 * resolver meets them, so no blocked version is chosen anywhere in the solution. The gate's rules
 * apply as in decide.ts: nothing is withheld while the gate is off; a stale database refuses
 * (E_ADVISORIES_STALE); a failing scanner refuses under fail-closed and filters nothing under
 * fail-open (with a warning).
 */
import type { MetadataProvider, ScannerProvider, VersioningProvider } from '../contracts/index.js';
import type { VersionFilter } from '../core/resolution.js';
import { nowOf } from './audit.js';
import { classify } from './classify.js';
import { FindingEngine } from './findings.js';
import { prepareGate, scannerFailure } from './gate.js';

export interface PolicyFilterDeps {
  readonly metadata: MetadataProvider;
  readonly versioning: VersioningProvider;
  readonly scanner: ScannerProvider;
  readonly clock?: () => Date;
}

export interface PolicyFilter {
  /** Undefined when nothing is to be withheld (the gate is off, or fail-open with a failing scanner). */
  readonly withhold?: VersionFilter;
  readonly warnings: readonly string[];
}

export async function policyVersionFilter(deps: PolicyFilterDeps): Promise<PolicyFilter> {
  const now = nowOf(deps);
  const gate = await prepareGate(deps, now);
  if (gate.state === 'off') return { warnings: [] };
  if (gate.state === 'stale') throw gate.error;
  if (gate.state === 'failed') {
    if (gate.policy.onScannerFailure === 'fail-closed') throw gate.error;
    return { warnings: [`advisories not checked (${gate.error.code}: ${gate.error.message}); versions were not filtered because the policy is fail-open`] };
  }
  const engine = new FindingEngine(deps);
  const withhold: VersionFilter = async (name, versions) => {
    let direct;
    try {
      direct = await engine.directMatches(name, versions);
    } catch (err) {
      throw scannerFailure(err, deps.scanner);
    }
    const out = new Map<string, string>();
    for (const version of versions) {
      const reasons: string[] = [];
      for (const m of direct.get(version) ?? []) {
        const finding = classify(
          { name, version, advisory: m.id, aliases: m.aliases, severity: m.severity, severitySource: m.severitySource, via: [], fixed: m.fixed, affected: { name, version } },
          gate.policy, gate.exemptions, now,
        );
        if (finding.level === 'block') reasons.push(`${m.id} (${m.severity})`);
      }
      if (reasons.length > 0) out.set(version, reasons.join(', '));
    }
    return out;
  };
  return { withhold, warnings: [] };
}
