/**
 * An OSV record turned into what the evaluation needs, per npm package it names: its affected[]
 * entries for that package (versions[], and the SEMVER/ECOSYSTEM ranges with their events parsed
 * and sorted), the versions that fix it, and its severity. Stored as JSON beside the record
 * (serialize/deserialize below), so a lookup parses no OSV and sorts nothing.
 *
 * A record whose npm ranges cannot be evaluated (an event with an unreadable version, a range
 * without an `introduced` event) is refused with the reason, never half-used.
 */
import type { OsvAffected, OsvRecord, Severity } from '../../../src/contracts/index.js';
import type { CompiledEntry, CompiledEvent, CompiledRange, EventPoint } from './evaluate.js';
import { severityOf, type SeverityVerdict } from './severity.js';
import { compareOsvVersions, formatOsvVersion, parseOsvVersion, type OsvVersion } from './version.js';

export const ECOSYSTEM = 'npm';
/** Range types the evaluation orders; GIT (and any type the schema does not define) is ignored. */
const EVALUATED_RANGE_TYPES = new Set(['SEMVER', 'ECOSYSTEM']);

/** Everything a lookup of one package needs of one record. */
export interface NameRule {
  readonly entries: readonly CompiledEntry[];
  /** Every `fixed` event version of these entries, ascending, canonical. */
  readonly fixed: readonly OsvVersion[];
  readonly severity: SeverityVerdict;
}

export type Compiled = { ok: true; names: ReadonlyMap<string, NameRule> } | { ok: false; reason: string };

/** Package names are compared lowercased: pakt names are lowercase, and GHSA writes e.g. "Axios". */
export function matchName(name: string): string {
  return name.toLowerCase();
}

function point(kind: string, text: string): EventPoint | OsvVersion | 'infinity' | null {
  if (kind === 'introduced' && text === '0') return 'zero';
  if (kind === 'limit' && text.includes('*')) return 'infinity';
  return parseOsvVersion(text);
}

function compileRange(range: NonNullable<OsvAffected['ranges']>[number], where: string): CompiledRange | string {
  const events: CompiledEvent[] = [];
  let limits: Array<OsvVersion | 'infinity'> | null = null;
  let introduced = false;
  for (let i = 0; i < range.events.length; i++) {
    const evt = range.events[i]!;
    const keys = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter((k) => evt[k] !== undefined);
    if (keys.length !== 1) return `${where}.events[${i}] must hold exactly one of introduced, fixed, last_affected, limit (it holds ${keys.length === 0 ? 'none' : keys.join(' and ')})`;
    const kind = keys[0]!;
    const text = evt[kind]!;
    const at = typeof text === 'string' ? point(kind, text) : null;
    if (at === null) return `${where}.events[${i}].${kind} ${JSON.stringify(String(text).slice(0, 80))} is not a version that can be ordered (SemVer 2.0.0; "0" for introduced, "*" for limit)`;
    if (kind === 'limit') (limits ??= []).push(at as OsvVersion | 'infinity');
    else {
      if (kind === 'introduced') introduced = true;
      events.push({ kind, at: at as EventPoint });
    }
  }
  if (!introduced) return `${where} has no introduced event (the schema requires one; without it nothing is ever affected)`;
  // Stable: events at equal versions keep the record's order.
  events.sort((a, b) => (a.at === 'zero' ? (b.at === 'zero' ? 0 : -1) : b.at === 'zero' ? 1 : compareOsvVersions(a.at, b.at)));
  return { events, limits };
}

/** The record compiled per npm package name, or why it cannot be evaluated. */
export function compileRecord(record: OsvRecord): Compiled {
  const byName = new Map<string, { entries: CompiledEntry[]; raw: OsvAffected[]; fixed: OsvVersion[] }>();
  const affected = record.affected ?? [];
  for (let a = 0; a < affected.length; a++) {
    const entry = affected[a]!;
    if (entry.package?.ecosystem !== ECOSYSTEM || typeof entry.package.name !== 'string' || entry.package.name === '') continue;
    const name = matchName(entry.package.name);
    const ranges: CompiledRange[] = [];
    const fixed: OsvVersion[] = [];
    const rangeList = entry.ranges ?? [];
    for (let r = 0; r < rangeList.length; r++) {
      const range = rangeList[r]!;
      if (!EVALUATED_RANGE_TYPES.has(range.type)) continue;
      const compiled = compileRange(range, `affected[${a}].ranges[${r}]`);
      if (typeof compiled === 'string') return { ok: false, reason: compiled };
      ranges.push(compiled);
      for (const evt of compiled.events) if (evt.kind === 'fixed' && evt.at !== 'zero') fixed.push(evt.at);
    }
    const versions = (entry.versions ?? []).filter((v): v is string => typeof v === 'string');
    let slot = byName.get(name);
    if (!slot) byName.set(name, (slot = { entries: [], raw: [], fixed: [] }));
    slot.entries.push({ versions, parsedVersions: versions.map(parseOsvVersion), ranges });
    slot.raw.push(entry);
    slot.fixed.push(...fixed);
  }
  const names = new Map<string, NameRule>();
  for (const [name, slot] of byName) {
    names.set(name, { entries: slot.entries, fixed: uniqueSorted(slot.fixed), severity: severityOf(record, slot.raw) });
  }
  return { ok: true, names };
}

function uniqueSorted(versions: OsvVersion[]): OsvVersion[] {
  const sorted = [...versions].sort(compareOsvVersions);
  return sorted.filter((v, i) => i === 0 || compareOsvVersions(sorted[i - 1]!, v) !== 0);
}

// --- stored form ---------------------------------------------------------------------------
// Versions are kept as their canonical text and parsed again on load (a few µs per record),
// which keeps the stored JSON small and independent of the in-memory shapes.

interface StoredRule {
  e: Array<{ v: string[]; r: Array<{ ev: Array<[CompiledEvent['kind'], string]>; lim: string[] | null }> }>;
  f: string[];
  s: Severity;
  ss: SeverityVerdict['source'];
  sc?: number;
}

const text = (p: EventPoint | OsvVersion | 'infinity'): string => (p === 'zero' ? '0' : p === 'infinity' ? '*' : formatOsvVersion(p));

export function serializeRule(rule: NameRule): string {
  const stored: StoredRule = {
    e: rule.entries.map((entry) => ({
      v: [...entry.versions],
      r: entry.ranges.map((range) => ({
        ev: range.events.map((evt): [CompiledEvent['kind'], string] => [evt.kind, text(evt.at)]),
        lim: range.limits === null ? null : range.limits.map(text),
      })),
    })),
    f: rule.fixed.map(formatOsvVersion),
    s: rule.severity.severity,
    ss: rule.severity.source,
    ...(rule.severity.score !== undefined ? { sc: rule.severity.score } : {}),
  };
  return JSON.stringify(stored);
}

function parsed(textValue: string): OsvVersion {
  const v = parseOsvVersion(textValue);
  if (v === null) throw new Error(`stored version ${JSON.stringify(textValue)} does not parse`);
  return v;
}

/** The rule back from its stored JSON; throws on anything this code did not write. */
export function deserializeRule(json: string): NameRule {
  const stored = JSON.parse(json) as StoredRule;
  return {
    entries: stored.e.map((entry) => ({
      versions: entry.v,
      parsedVersions: entry.v.map(parseOsvVersion),
      ranges: entry.r.map((range) => ({
        events: range.ev.map(([kind, at]) => ({ kind, at: kind === 'introduced' && at === '0' ? ('zero' as const) : parsed(at) })),
        limits: range.lim === null ? null : range.lim.map((l) => (l === '*' ? ('infinity' as const) : parsed(l))),
      })),
    })),
    fixed: stored.f.map(parsed),
    severity: { severity: stored.s, source: stored.ss, ...(stored.sc !== undefined ? { score: stored.sc } : {}) },
  };
}
