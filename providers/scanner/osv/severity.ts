/**
 * An advisory's severity for one package: `database_specific.severity` (GitHub's LOW, MODERATE,
 * HIGH, CRITICAL; MEDIUM read as moderate), first the record's, then the package entry's; else
 * the CVSS base score of the entry's own `severity[]` (the schema lets it replace the record's),
 * else the record's `severity[]`: a v3 vector first, then v2 (v4 is not scored, see cvss.ts);
 * else unknown.
 */
import type { OsvAffected, OsvRecord, OsvSeverity, Severity } from '../../../src/contracts/index.js';
import { cvss2, cvss3, type CvssScore } from './cvss.js';

export interface SeverityVerdict {
  readonly severity: Severity;
  readonly source: 'database_specific' | 'cvss_v3' | 'cvss_v2' | 'none';
  readonly score?: number;
}

const NAMED: Record<string, Severity> = { low: 'low', moderate: 'moderate', medium: 'moderate', high: 'high', critical: 'critical' };
const RANK: Record<Severity, number> = { unknown: 0, low: 1, moderate: 2, high: 3, critical: 4 };

function named(value: unknown): Severity | null {
  if (typeof value !== 'string') return null;
  return NAMED[value.toLowerCase()] ?? null;
}

/** The highest-scoring vector of one CVSS version in a severity[] list. */
function bestCvss(list: readonly OsvSeverity[] | undefined, type: 'CVSS_V3' | 'CVSS_V2'): CvssScore | null {
  let best: CvssScore | null = null;
  for (const s of list ?? []) {
    if (s?.type !== type || typeof s.score !== 'string') continue;
    const scored = type === 'CVSS_V3' ? cvss3(s.score) : cvss2(s.score);
    if (scored && (best === null || scored.score > best.score)) best = scored;
  }
  return best;
}

function fromVectors(list: readonly OsvSeverity[] | undefined): SeverityVerdict | null {
  const v3 = bestCvss(list, 'CVSS_V3');
  if (v3) return { severity: v3.rating, source: 'cvss_v3', score: v3.score };
  const v2 = bestCvss(list, 'CVSS_V2');
  if (v2) return { severity: v2.rating, source: 'cvss_v2', score: v2.score };
  return null;
}

function highest(verdicts: ReadonlyArray<SeverityVerdict | null>): SeverityVerdict | null {
  let best: SeverityVerdict | null = null;
  for (const v of verdicts) if (v && (best === null || RANK[v.severity] > RANK[best.severity])) best = v;
  return best;
}

export function severityOf(record: OsvRecord, entries: readonly OsvAffected[]): SeverityVerdict {
  const recordLevel = named(record.database_specific?.['severity']);
  if (recordLevel) return { severity: recordLevel, source: 'database_specific' };
  const entryLevel = highest(entries.map((e) => {
    const s = named(e.database_specific?.['severity']);
    return s ? { severity: s, source: 'database_specific' as const } : null;
  }));
  if (entryLevel) return entryLevel;
  const entryVectors = highest(entries.map((e) => fromVectors(e.severity)));
  if (entryVectors) return entryVectors;
  return fromVectors(record.severity) ?? { severity: 'unknown', source: 'none' };
}

export function severityRank(s: Severity): number {
  return RANK[s];
}
