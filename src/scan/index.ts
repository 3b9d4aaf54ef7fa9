/**
 * Advisories, scanning and policy (SPEC §8), as a library. The gates of the pipelines (publish,
 * download, install) call decidePolicy(); resolution takes policyVersionFilter(); the CLI's
 * `advisories`, `scan` and `policy` commands are thin layers over the rest.
 */
export { importAdvisories, advisoryStatus, ageHours, type AdvisoryDeps, type AdvisoryStatus, type ImportAdvisoriesOptions, type ImportReport, type SkippedRecord } from './advisories.js';
export { checkOsvRecord, isAdvisoryId, type RecordProblem } from './osv-record.js';
export { scanStore, type ScanDeps, type ScanOptions, type ScanReport, type ScanTarget } from './scan.js';
export { FindingEngine, type Finding, type FindingsOf, type Unresolved } from './findings.js';
export { classify, levelOf, type ClassifiedFinding, type FindingLevel } from './classify.js';
export { decidePolicy, decisionError, pathText, type DecisionDeps, type GateOperation, type GateSubject, type PolicyDecision } from './decide.js';
export { policyVersionFilter, type PolicyFilter, type PolicyFilterDeps } from './policy-filter.js';
export { prepareGate, type GateState } from './gate.js';
export {
  ADVISORY_POLICY_KIND,
  DEFAULT_ADVISORY_POLICY,
  commitPolicyWrites,
  planPolicyChange,
  readAdvisoryPolicy,
  setAdvisoryPolicy,
  type AdvisoryPolicy,
  type PolicyChanges,
  type PolicyDeps,
  type PolicyPlan,
  type ScannerFailureMode,
  type StoredPolicy,
} from './policy.js';
export { EXEMPTION_KIND, addExemption, applicableExemption, exemptCommand, listExemptions, readExemptions, removeExemption, type Exemption, type ListedExemption, type NewExemption } from './exemptions.js';
export { parseLevel, SEVERITIES, type KnownSeverity, type PolicyLevel } from './severity.js';
export { durationMs, formatDuration, parseDuration, parseExpiry } from './duration.js';
export { isValidNamePattern, matchesNamePattern } from './name-pattern.js';
