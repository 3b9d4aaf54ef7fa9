/**
 * Findings: which advisories affect a version, directly or through the versions its dependencies
 * resolve to in this store.
 *
 * - Direct: the scanner is asked about every version of a package in one call, and the answers
 *   are kept for the engine's life (one scan, or one decision), so a package depended on by
 *   thousands of versions is looked up once. With the scanner's optional affectedNames(),
 *   packages no advisory names are never asked about.
 * - Through dependencies: the resolver (src/resolve, over the metadata) picks one version per
 *   package for `name@=version`, exactly as `pakt resolve` would; each selected version's direct
 *   findings become findings of the root, with `via`, the shortest dependency path from the root
 *   to the affected version (root excluded, affected version last). A version whose dependencies
 *   do not resolve in this store is reported as unresolved, not as clean.
 */
import type { AdvisoryMatch, MetadataProvider, ScannerProvider, Severity, VersioningProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { resolve } from '../resolve/index.js';
import type { ResolveSource } from '../resolve/types.js';

export interface Finding {
  /** The version checked. */
  readonly name: string;
  readonly version: string;
  readonly advisory: string;
  readonly aliases: readonly string[];
  readonly severity: Severity;
  readonly severitySource: AdvisoryMatch['severitySource'];
  readonly score?: number;
  readonly summary?: string;
  /** Empty for a direct finding; else the path `name@version`, …, ending at the affected version. */
  readonly via: readonly string[];
  /** Versions of the affected package that fix it (above the affected one). */
  readonly fixed: readonly string[];
  /** The affected package version (the checked one for a direct finding). */
  readonly affected: { readonly name: string; readonly version: string };
}

export interface Unresolved {
  readonly name: string;
  readonly version: string;
  readonly code: string;
  /** The resolver's explanation. */
  readonly message: string;
}

export interface FindingsOf {
  readonly findings: Finding[];
  /** Set when the dependencies could not be resolved (only direct findings were checked). */
  readonly unresolved?: Unresolved;
}

type Row = { version: string; dependencies: Readonly<Record<string, string>> };

export interface EngineDeps {
  readonly metadata: MetadataProvider;
  readonly versioning: VersioningProvider;
  readonly scanner: ScannerProvider;
}

export class FindingEngine {
  private readonly rows = new Map<string, Promise<readonly Row[]>>();
  private readonly direct = new Map<string, Map<string, readonly AdvisoryMatch[]>>();
  private affected: ReadonlySet<string> | null | undefined;
  /** A source every resolution of this engine shares: each package's versions read once. */
  readonly source: ResolveSource = { versions: (name) => this.versionsOf(name) };

  constructor(private readonly deps: EngineDeps) {}

  /** Seeds the rows of packages already read (a whole-store scan reads every version at once). */
  seed(name: string, rows: readonly Row[]): void {
    this.rows.set(name, Promise.resolve(rows));
  }

  versionsOf(name: string): Promise<readonly Row[]> {
    let pending = this.rows.get(name);
    if (!pending) {
      pending = this.deps.metadata.listVersions(name).then((records) => records.map((r) => ({ version: r.version, dependencies: r.metadata.dependencies ?? {} })));
      this.rows.set(name, pending);
    }
    return pending;
  }

  /** Names any advisory affects (lowercased), or null when the scanner cannot say. */
  async affectedNames(): Promise<ReadonlySet<string> | null> {
    if (this.affected === undefined) this.affected = this.deps.scanner.affectedNames ? await this.deps.scanner.affectedNames() : null;
    return this.affected;
  }

  /** The advisories affecting each of `versions` of `name` (asked of the scanner once per version). */
  async directMatches(name: string, versions: readonly string[]): Promise<ReadonlyMap<string, readonly AdvisoryMatch[]>> {
    let known = this.direct.get(name);
    if (!known) this.direct.set(name, (known = new Map()));
    const missing = versions.filter((v) => !known!.has(v));
    if (missing.length > 0) {
      const names = await this.affectedNames();
      if (names !== null && !names.has(name.toLowerCase())) for (const v of missing) known.set(v, []);
      else {
        const answer = await this.deps.scanner.affecting(name, [...new Set(missing)]);
        for (const v of missing) known.set(v, answer.get(v) ?? []);
      }
    }
    const out = new Map<string, readonly AdvisoryMatch[]>();
    for (const v of versions) out.set(v, known.get(v)!);
    return out;
  }

  /**
   * Findings of `name@version`: direct ones, then (unless `dependencies` is false) those of the
   * versions its dependencies resolve to. `candidate` gives the dependencies of a version not
   * stored yet (a publish being decided).
   */
  async findingsOf(name: string, version: string, options: { dependencies?: boolean; candidate?: Readonly<Record<string, string>> } = {}): Promise<FindingsOf> {
    const findings: Finding[] = [];
    const own = (await this.directMatches(name, [version])).get(version) ?? [];
    for (const m of own) findings.push(toFinding(name, version, m, [], name, version));
    if (options.dependencies === false) return { findings };
    const rows = options.candidate ? await this.withCandidate(name, version, options.candidate) : await this.versionsOf(name);
    const row = rows.find((r) => r.version === version);
    if (!row || Object.keys(row.dependencies).length === 0) return { findings };

    const source: ResolveSource = options.candidate
      ? { versions: (n) => (n === name ? Promise.resolve(rows) : this.versionsOf(n)) }
      : this.source;
    let solution: Record<string, string>;
    try {
      ({ solution } = await resolve({ [name]: `=${version}` }, source, this.deps.versioning));
      // `=1.0.0+a` also admits 1.0.0+b (build metadata has no precedence): the root is the version asked about.
      solution[name] = version;
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'E_UNSATISFIABLE' || err.code === 'E_PKG_RANGE_INVALID')) {
        return { findings, unresolved: { name, version, code: err.code, message: err.message } };
      }
      throw err;
    }
    // Shortest paths from the root through the selected versions' dependencies.
    const parent = new Map<string, string | null>([[name, null]]);
    const queue = [name];
    for (let i = 0; i < queue.length; i++) {
      const current = queue[i]!;
      const currentRows = current === name ? rows : await this.versionsOf(current);
      const selected = currentRows.find((r) => r.version === solution[current]);
      for (const dep of Object.keys(selected?.dependencies ?? {}).sort()) {
        if (parent.has(dep) || solution[dep] === undefined) continue;
        parent.set(dep, current);
        queue.push(dep);
      }
    }
    const names = await this.affectedNames();
    for (const dep of queue.slice(1)) {
      if (names !== null && !names.has(dep.toLowerCase())) continue;
      const depVersion = solution[dep]!;
      const matches = (await this.directMatches(dep, [depVersion])).get(depVersion) ?? [];
      if (matches.length === 0) continue;
      const via: string[] = [];
      for (let at: string | null = dep; at !== null && at !== name; at = parent.get(at) ?? null) via.unshift(`${at}@${solution[at]}`);
      for (const m of matches) findings.push(toFinding(name, version, m, via, dep, depVersion));
    }
    return { findings };
  }

  private async withCandidate(name: string, version: string, dependencies: Readonly<Record<string, string>>): Promise<readonly Row[]> {
    const stored = await this.versionsOf(name);
    return [...stored.filter((r) => r.version !== version), { version, dependencies }];
  }
}

export function toFinding(name: string, version: string, m: AdvisoryMatch, via: readonly string[], affectedName: string, affectedVersion: string): Finding {
  return {
    name,
    version,
    advisory: m.id,
    aliases: m.aliases,
    severity: m.severity,
    severitySource: m.severitySource,
    ...(m.score !== undefined ? { score: m.score } : {}),
    ...(m.summary !== undefined ? { summary: m.summary } : {}),
    via,
    fixed: m.fixed,
    affected: { name: affectedName, version: affectedVersion },
  };
}
