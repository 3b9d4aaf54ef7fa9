/**
 * A finding under the policy: `block` (at or above the block level), `warn` (at or above the warn
 * level), or `info` (below both, or exempted). An exempted finding keeps the level it would have
 * had (`exemptedLevel`) and the exemption that lowered it, so reports and the audit log can say
 * what was allowed and why.
 */
import type { Exemption } from './exemptions.js';
import { applicableExemption } from './exemptions.js';
import type { Finding } from './findings.js';
import type { AdvisoryPolicy } from './policy.js';
import { atOrAbove, effectiveSeverity } from './severity.js';

export type FindingLevel = 'block' | 'warn' | 'info';

export interface ClassifiedFinding extends Finding {
  readonly level: FindingLevel;
  /** The exemption that applies, when one does. */
  readonly exemption?: Exemption;
  /** The level the finding would have without its exemption. */
  readonly exemptedLevel?: FindingLevel;
}

export function levelOf(finding: Pick<Finding, 'severity'>, policy: AdvisoryPolicy): FindingLevel {
  const severity = effectiveSeverity(finding.severity, policy.unknownAs);
  if (atOrAbove(severity, policy.block)) return 'block';
  if (atOrAbove(severity, policy.warn)) return 'warn';
  return 'info';
}

export function classify(finding: Finding, policy: AdvisoryPolicy, exemptions: readonly Exemption[], now: Date): ClassifiedFinding {
  const level = levelOf(finding, policy);
  if (level === 'info') return { ...finding, level };
  const exemption = applicableExemption(exemptions, [finding.advisory, ...finding.aliases], finding.name, finding.affected.name, now);
  return exemption ? { ...finding, level: 'info', exemption, exemptedLevel: level } : { ...finding, level };
}
