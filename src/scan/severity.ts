/**
 * Severities and policy levels. A policy level is a severity (or `none`: nothing reaches it);
 * a finding is at a level when its severity ranks at or above it. `unknown` has no rank of its
 * own: the policy says which severity it counts as (`unknownAs`, high by default), because an
 * advisory without a score (OpenSSF's malicious-package records have none) is not a harmless one.
 */
import type { Severity } from '../contracts/index.js';
import { RegistryError } from '../errors.js';

export type KnownSeverity = Exclude<Severity, 'unknown'>;
export type PolicyLevel = KnownSeverity | 'none';

export const SEVERITIES: readonly KnownSeverity[] = ['low', 'moderate', 'high', 'critical'];

const RANK: Record<KnownSeverity, number> = { low: 1, moderate: 2, high: 3, critical: 4 };

export function rankOf(severity: KnownSeverity): number {
  return RANK[severity];
}

/** The severity a finding counts as under `unknownAs`. */
export function effectiveSeverity(severity: Severity, unknownAs: KnownSeverity): KnownSeverity {
  return severity === 'unknown' ? unknownAs : severity;
}

/** True when `severity` (already effective) is at or above `level`. */
export function atOrAbove(severity: KnownSeverity, level: PolicyLevel): boolean {
  return level !== 'none' && RANK[severity] >= RANK[level];
}

/** Reads a level from a person: low, moderate (or medium), high, critical, none (or off). */
export function parseLevel(text: unknown, option: string, allowNone = true): PolicyLevel {
  const value = typeof text === 'string' ? text.trim().toLowerCase() : '';
  if (value === 'medium') return 'moderate';
  if (allowNone && (value === 'none' || value === 'off')) return 'none';
  if ((SEVERITIES as readonly string[]).includes(value)) return value as KnownSeverity;
  throw new RegistryError('E_INVALID_ARGUMENT', `${option} must be one of ${SEVERITIES.join(', ')}${allowNone ? ', none' : ''}; got '${String(text).slice(0, 40)}'`, { path: option, found: text });
}
