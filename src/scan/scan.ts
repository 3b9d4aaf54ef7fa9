/**
 * `pakt scan`: every stored version (or those named) checked directly and through the versions
 * its dependencies resolve to in this store, each finding classified by the policy.
 *
 * A scan never answers from a database it cannot trust: none imported gives E_ADVISORIES_MISSING,
 * one older than the maximum age (the policy's, or `maxAdvisoryAgeHours` given here) gives
 * E_ADVISORIES_STALE, an unreadable one E_ADVISORIES_UNREADABLE; the scanner-failure setting is
 * for gates, not for a report.
 *
 * A whole-store scan reads every version once (allVersions); every scan asks the scanner only
 * about the packages any advisory names (affectedNames, when the scanner has it), and resolves
 * only the versions whose dependency names can reach such a package at all.
 */
import type { AdvisoryDbInfo, MetadataProvider, ScannerProvider, VersioningProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { isLatestTag, isValidName } from '../package/name-version.js';
import { nowOf } from './audit.js';
import { classify, type ClassifiedFinding } from './classify.js';
import { FindingEngine, toFinding, type Unresolved } from './findings.js';
import { missingError, prepareGate, scannerFailure, staleError } from './gate.js';
import type { AdvisoryPolicy } from './policy.js';

export interface ScanDeps {
  readonly metadata: MetadataProvider;
  readonly versioning: VersioningProvider;
  readonly scanner: ScannerProvider;
  readonly clock?: () => Date;
}

export interface ScanTarget {
  readonly name: string;
  /** A range, an exact version or `latest`; absent: every version. */
  readonly range?: string;
}

export interface ScanOptions {
  /** Only these; default every stored version. */
  targets?: readonly ScanTarget[];
  /** Overrides the policy's maximum advisory age, in hours (null: no limit). */
  maxAdvisoryAgeHours?: number | null;
  /** Check through dependencies too (default true). */
  dependencies?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ScanReport {
  readonly db: AdvisoryDbInfo;
  readonly policy: AdvisoryPolicy;
  /** Versions checked. */
  readonly scanned: number;
  /** Sorted by name, version, then severity (highest first) and advisory. */
  readonly findings: readonly ClassifiedFinding[];
  /**
   * Versions whose dependencies lead to a package an advisory affects but do not resolve in this
   * store: checked directly only. (Versions whose dependencies lead to no such package are not
   * resolved at all: nothing they resolve to could carry a finding.)
   */
  readonly unresolved: readonly Unresolved[];
  /** True when any finding is at the block level (after exemptions): `pakt scan` exits 1. */
  readonly blocked: boolean;
}

type Row = { version: string; dependencies: Readonly<Record<string, string>> };

const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, moderate: 2, low: 3, unknown: 4 };

export async function scanStore(deps: ScanDeps, options: ScanOptions = {}): Promise<ScanReport> {
  const now = nowOf(deps);
  const gate = await prepareGate(deps, now, options.maxAdvisoryAgeHours);
  let db: AdvisoryDbInfo | undefined;
  try {
    db = await deps.scanner.status();
  } catch (err) {
    throw scannerFailure(err, deps.scanner);
  }
  if (!db) throw missingError();
  const maxHours = options.maxAdvisoryAgeHours !== undefined ? options.maxAdvisoryAgeHours : gate.policy.maxAdvisoryAgeHours;
  const stale = staleError(db, now, maxHours, options.maxAdvisoryAgeHours !== undefined ? '--max-advisory-age' : "the policy's maximum advisory age");
  if (stale) throw stale;

  const engine = new FindingEngine(deps);
  const withDependencies = options.dependencies !== false;
  const targets = await selectVersions(deps, engine, options.targets, withDependencies);
  const reaching = withDependencies ? await namesReachingAffected(engine, targets) : null;

  const findings: ClassifiedFinding[] = [];
  const unresolved: Unresolved[] = [];
  let done = 0;
  const total = targets.reduce((n, t) => n + t.versions.length, 0);
  try {
    for (const { name, versions } of targets) {
      const direct = await engine.directMatches(name, versions); // one scanner call for every version of the package
      const checkDeps = withDependencies && (reaching === null || reaching.has(name));
      for (const version of versions) {
        if (checkDeps) {
          const found = await engine.findingsOf(name, version);
          for (const f of found.findings) findings.push(classify(f, gate.policy, gate.exemptions, now));
          if (found.unresolved) unresolved.push(found.unresolved);
        } else {
          for (const m of direct.get(version) ?? []) findings.push(classify(toFinding(name, version, m, [], name, version), gate.policy, gate.exemptions, now));
        }
        done++;
        if (options.onProgress && done % 500 === 0) options.onProgress(done, total);
      }
    }
  } catch (err) {
    throw scannerFailure(err, deps.scanner);
  }
  options.onProgress?.(done, total);
  findings.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 :
    deps.versioning.compare(a.version, b.version) ||
    (SEVERITY_ORDER[a.severity]! - SEVERITY_ORDER[b.severity]!) ||
    (a.advisory < b.advisory ? -1 : a.advisory > b.advisory ? 1 : 0) ||
    a.via.length - b.via.length);
  return { db, policy: gate.policy, scanned: done, findings, unresolved, blocked: findings.some((f) => f.level === 'block') };
}

interface TargetVersions {
  name: string;
  /** Ascending. */
  versions: string[];
}

/**
 * The versions to check: every stored one (read once, with their metadata when dependencies are
 * followed; by version numbers alone when not and the metadata can list them), or those the
 * targets name.
 */
async function selectVersions(deps: ScanDeps, engine: FindingEngine, targets: readonly ScanTarget[] | undefined, withDependencies: boolean): Promise<TargetVersions[]> {
  const v = deps.versioning;
  const sortAsc = (list: string[]) => list.filter((x) => v.isValidVersion(x)).sort((a, b) => v.compare(a, b));
  const numbers = deps.metadata.listVersionNumbers?.bind(deps.metadata);
  if (targets === undefined && !withDependencies && numbers) {
    const out: TargetVersions[] = [];
    for (const name of await deps.metadata.listPackageNames()) out.push({ name, versions: sortAsc(await numbers(name)) });
    return out;
  }
  if (targets === undefined) {
    const byName = new Map<string, Row[]>();
    for await (const r of deps.metadata.allVersions()) {
      let rows = byName.get(r.name);
      if (!rows) byName.set(r.name, (rows = []));
      rows.push({ version: r.version, dependencies: r.metadata.dependencies ?? {} });
    }
    const out: TargetVersions[] = [];
    for (const [name, rows] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      engine.seed(name, rows);
      out.push({ name, versions: sortAsc(rows.map((r) => r.version)) });
    }
    return out;
  }
  const merged = new Map<string, Set<string>>();
  for (const t of targets) {
    if (!isValidName(t.name)) throw new RegistryError('E_PKG_NAME_INVALID', `'${String(t.name).slice(0, 80)}' is not a package name`, { path: t.name });
    const all = !withDependencies && numbers ? await numbers(t.name) : (await engine.versionsOf(t.name)).map((r) => r.version);
    if (all.length === 0) throw new RegistryError('E_PACKAGE_NOT_FOUND', `package '${t.name}' is not in the registry`, { name: t.name });
    let chosen: string[];
    if (t.range === undefined) chosen = all;
    else if (isLatestTag(t.range)) {
      const latest = v.latest(all);
      chosen = latest === null ? [] : [latest];
    } else {
      if (!v.isValidRange(t.range)) throw new RegistryError('E_PKG_RANGE_INVALID', `'${t.range.slice(0, 80)}' is not a version range (in ${t.name}@${t.range.slice(0, 80)})`, { path: t.name, found: t.range });
      chosen = all.filter((x) => v.satisfies(x, t.range!));
    }
    if (chosen.length === 0) throw new RegistryError('E_VERSION_NOT_FOUND', `no version of ${t.name} matches ${t.range}`, { name: t.name, expected: t.range });
    let set = merged.get(t.name);
    if (!set) merged.set(t.name, (set = new Set()));
    for (const c of chosen) set.add(c);
  }
  return [...merged].map(([name, set]) => ({ name, versions: sortAsc([...set]) }));
}

/**
 * Names whose versions can reach, through the dependency names of any of their versions, a
 * package an advisory affects: only their versions need resolving, since whatever the others
 * resolve to carries no advisory. Null when the scanner cannot list affected names (then every
 * version is resolved). The walk covers what the targets can reach, read once per name.
 */
async function namesReachingAffected(engine: FindingEngine, targets: readonly TargetVersions[]): Promise<ReadonlySet<string> | null> {
  const affected = await engine.affectedNames();
  if (affected === null) return null;
  const dependents = new Map<string, string[]>();
  const seen = new Set<string>(targets.map((t) => t.name));
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    const depNames = new Set<string>();
    for (const r of await engine.versionsOf(name)) for (const d of Object.keys(r.dependencies)) depNames.add(d);
    for (const d of depNames) {
      let list = dependents.get(d);
      if (!list) dependents.set(d, (list = []));
      list.push(name);
      if (!seen.has(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  // Walk back from the affected packages along "is depended on by".
  const reaching = new Set<string>();
  const back: string[] = [];
  for (const d of dependents.keys()) if (affected.has(d.toLowerCase())) back.push(d);
  while (back.length > 0) {
    const next = back.pop()!;
    for (const dependent of dependents.get(next) ?? []) {
      if (reaching.has(dependent)) continue;
      reaching.add(dependent);
      back.push(dependent);
    }
  }
  return reaching;
}
