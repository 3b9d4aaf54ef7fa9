/**
 * What the solver knows about each package: its versions (fetched from the source once, sorted by
 * the versioning provider), what each version depends on, and the version sets that ranges and
 * dependency groups stand for (each computed once and cached).
 */
import type { VersioningProvider } from '../contracts/versioning.js';
import type { ResolveSource, RootRequirements, WithheldVersion } from './types.js';
import { add, emptySet, type Bits } from './version-set.js';

/**
 * A requirement of exactly the version `pakt info <name>` shows: the highest release, or the
 * highest prerelease when the package has only prereleases (src/core/lookup.ts latestOf).
 */
export const LATEST = 'latest';

/** Index of the latest version of `pkg` (versions ascending), or -1 when it has none. */
function latestIndex(pkg: PackageData): number {
  for (let i = pkg.n - 1; i >= 0; i--) if (!pkg.prerelease[i]) return i;
  return pkg.n - 1;
}

/** Up to this many versions, matching() asks satisfies() per version rather than selectSatisfying(). */
const SMALL_PACKAGE_VERSIONS = 8;

export interface PackageData {
  /** 0 is the root requirements; packages get ids in the order they are first met. */
  readonly id: number;
  readonly name: string;
  readonly isRoot: boolean;
  /** Known versions, ascending by precedence. */
  readonly versions: readonly string[];
  /** Dependency map of each version (same index as versions). */
  readonly dependencies: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Which versions are prereleases (for the "only prereleases in range" explanation). */
  readonly prerelease: readonly boolean[];
  /** Versions the source withheld (not in `versions`), ascending, with their reasons. */
  readonly withheld: readonly WithheldVersion[];
  /** Number of known versions; also the index of ABSENT ("not selected") in this package's sets. */
  readonly n: number;
  /** n + 1: the known versions plus ABSENT. */
  readonly universe: number;
}

/** Made on first use: most packages of a fan-out are asked about one or two ranges, and none depend on anything. */
interface PackageCaches {
  ranges: Map<string, Bits> | null;
  /** dependency name → range → the versions of this package that depend on it with exactly that range. */
  dependers: Map<string, Map<string, Bits>> | null;
}

export class Catalogue {
  readonly root: PackageData;
  private readonly byName = new Map<string, PackageData>();
  private readonly loading = new Map<string, Promise<PackageData>>();
  private readonly byId: PackageData[] = [];
  private readonly caches: PackageCaches[] = [];

  constructor(
    private readonly source: ResolveSource,
    private readonly versioning: VersioningProvider,
    rootRequirements: RootRequirements,
    rootName: string,
  ) {
    this.root = this.register({
      name: rootName,
      isRoot: true,
      versions: [''],
      dependencies: [{ ...rootRequirements }],
      prerelease: [false],
      withheld: [],
    });
  }

  private register(data: Omit<PackageData, 'id' | 'n' | 'universe'>): PackageData {
    const id = this.byId.length;
    const n = data.versions.length;
    // Every field spelled out, so all packages share one object shape (the solver reads them a lot).
    const pkg: PackageData = {
      id,
      name: data.name,
      isRoot: data.isRoot,
      versions: data.versions,
      dependencies: data.dependencies,
      prerelease: data.prerelease,
      withheld: data.withheld,
      n,
      universe: n + 1,
    };
    this.byId.push(pkg);
    this.caches.push({ ranges: null, dependers: null });
    return pkg;
  }

  /** Loads a package's versions from the source, once; concurrent callers share one fetch. */
  load(name: string): Promise<PackageData> {
    const known = this.byName.get(name);
    if (known) return Promise.resolve(known);
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.fetch(name);
      this.loading.set(name, pending);
    }
    return pending;
  }

  /** The package, when it has been loaded already. */
  peek(name: string): PackageData | undefined {
    return this.byName.get(name);
  }

  private async fetch(name: string): Promise<PackageData> {
    const rows = await this.source.versions(name);
    const v = this.versioning;
    // Versions the provider cannot read are left out: they can never satisfy a range anyway.
    const valid = rows.filter((row) => v.isValidVersion(row.version));
    valid.sort((a, b) => v.compare(a.version, b.version));
    const withheld = this.source.withheld ? (await this.source.withheld(name)).filter((w) => v.isValidVersion(w.version)) : [];
    withheld.sort((a, b) => v.compare(a.version, b.version));
    const pkg = this.register({
      name,
      isRoot: false,
      versions: valid.map((row) => row.version),
      dependencies: valid.map((row) => row.dependencies ?? {}),
      prerelease: valid.map((row) => v.isPrerelease(row.version)),
      withheld,
    });
    this.byName.set(name, pkg);
    this.loading.delete(name);
    return pkg;
  }

  /** The versions of `pkg` that `range` admits (a positive set: ABSENT not in it). */
  matching(pkg: PackageData, range: string): Bits {
    const caches = this.caches[pkg.id]!;
    const cache = (caches.ranges ??= new Map());
    let set = cache.get(range);
    if (!set) {
      set = emptySet(pkg.universe);
      const v = this.versioning;
      if (range === LATEST) {
        const latest = latestIndex(pkg);
        if (latest !== -1) add(set, latest);
      } else if (v.isValidRange(range)) {
        // pkg.versions is sorted by v.compare, as selectSatisfying requires. A handful of versions
        // is asked one by one: the same answer (the contract says so), without the provider
        // preparing and keeping a parsed copy of the list for each of thousands of small packages.
        if (v.selectSatisfying && pkg.n > SMALL_PACKAGE_VERSIONS) for (const i of v.selectSatisfying(pkg.versions, range)) add(set, i);
        else for (let i = 0; i < pkg.n; i++) if (v.satisfies(pkg.versions[i]!, range)) add(set, i);
      }
      cache.set(range, set);
    }
    return set;
  }

  isValidRange(range: string): boolean {
    return range === LATEST || this.versioning.isValidRange(range);
  }

  /** The versions of `pkg` that depend on `dep` with exactly `range`. */
  dependers(pkg: PackageData, dep: string, range: string): Bits {
    const caches = this.caches[pkg.id]!;
    // Indexed per dependency name on first use: one pass over the versions groups them by range.
    const dependers = (caches.dependers ??= new Map());
    let byRange = dependers.get(dep);
    if (!byRange) {
      byRange = new Map();
      for (let i = 0; i < pkg.n; i++) {
        const deps = pkg.dependencies[i]!;
        // Own keys only: a dependency named "constructor" must not find Object.prototype's.
        if (!Object.hasOwn(deps, dep)) continue;
        const r = deps[dep]!;
        let set = byRange.get(r);
        if (!set) byRange.set(r, (set = emptySet(pkg.universe)));
        add(set, i);
      }
      dependers.set(dep, byRange);
    }
    return byRange.get(range) ?? emptySet(pkg.universe);
  }

  /** The withheld versions of `pkg` that `range` would have admitted, highest first. */
  withheldIn(pkg: PackageData, range: string): WithheldVersion[] {
    if (pkg.withheld.length === 0 || !this.versioning.isValidRange(range)) return [];
    return pkg.withheld.filter((w) => this.versioning.satisfies(w.version, range)).reverse();
  }

  /**
   * Prerelease versions that `range` leaves out only because of the prerelease rule: their
   * release version (the part before `-`) is in range. SemVer-shaped schemes only; for others the
   * stripped string is not a valid version and nothing is reported.
   */
  prereleasesNear(pkg: PackageData, range: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < pkg.n; i++) {
      if (!pkg.prerelease[i]) continue;
      const version = pkg.versions[i]!;
      const release = version.replace(/[-+].*$/, '');
      if (release !== version && this.versioning.satisfies(release, range)) out.push(version);
    }
    return out;
  }
}
