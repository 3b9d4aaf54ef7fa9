/**
 * The PubGrub solver (Natalie Weizenbaum's algorithm, as in dart-lang/pub's doc/solver.md):
 * unit propagation over incompatibilities, decisions that pick the highest allowed version of the
 * package with the fewest candidates, and conflict-driven learning that backjumps and records why.
 * When the root itself becomes incompatible, that last incompatibility is the proof of failure.
 */
import type { Catalogue, PackageData } from './catalogue.js';
import {
  incompatibility,
  isFailure,
  negate,
  type Incompatibility,
  type Term,
} from './incompatibility.js';
import { PartialSolution } from './partial-solution.js';
import { complement, emptySet, has, highestBelow, isEmpty, minus, singleton, type Bits } from './version-set.js';

export type SolveOutcome =
  | { ok: true; selection: ReadonlyMap<PackageData, string> }
  | { ok: false; failure: Incompatibility };

export class Solver {
  private readonly solution = new PartialSolution();
  private readonly byPackage = new Map<number, Incompatibility[]>();
  /**
   * Dependency incompatibilities already built, keyed "depender id NUL name NUL range": one map
   * for the whole solve rather than two levels of maps per package (a fan-out of thousands of
   * packages made tens of thousands of small maps, most of the garbage of a solve).
   */
  private readonly dependencyCache = new Map<string, Incompatibility | null>();
  /** pkg id → dependency id → how often that dependency ruled out a candidate of pkg. */
  private readonly blame = new Map<number, Map<number, number>>();
  /** propagate()'s set of packages waiting in its queue, kept between calls (one per decision). */
  private readonly queued = new Set<number>();

  constructor(private readonly catalogue: Catalogue) {}

  async solve(): Promise<SolveOutcome> {
    const root = this.catalogue.root;
    this.add(incompatibility([{ pkg: root, set: complement(singleton(root.universe, 0), root.universe) }], { type: 'root' }));
    let next: PackageData | null = root;
    while (next !== null) {
      const failure = this.propagate(next);
      if (failure) return { ok: false, failure };
      const decided = this.decideNext();
      next = decided instanceof Promise ? await decided : decided;
    }
    const selection = new Map<PackageData, string>();
    for (const [id, index] of this.solution.decided()) {
      const pkg = this.solution.packageById(id)!;
      if (!pkg.isRoot) selection.set(pkg, pkg.versions[index]!);
    }
    return { ok: true, selection };
  }

  private add(inc: Incompatibility): void {
    for (const term of inc.terms) {
      let list = this.byPackage.get(term.pkg.id);
      if (!list) this.byPackage.set(term.pkg.id, (list = []));
      list.push(inc);
    }
  }

  /** Unit propagation from one changed package; returns the failure when the root is refuted. */
  private propagate(start: PackageData): Incompatibility | null {
    const changed: PackageData[] = [start];
    const queued = this.queued;
    queued.clear();
    queued.add(start.id);
    while (changed.length > 0) {
      const pkg = changed.pop()!;
      queued.delete(pkg.id);
      const list = this.byPackage.get(pkg.id) ?? [];
      // Newest first: learned incompatibilities are more general, so they derive more, sooner.
      for (let i = list.length - 1; i >= 0; i--) {
        const inc = list[i]!;
        const result = this.propagateOne(inc);
        if (result === 'conflict') {
          const rootCause = this.resolveConflict(inc);
          if (isFailure(rootCause)) return rootCause;
          changed.length = 0;
          queued.clear();
          const derived = this.propagateOne(rootCause);
          if (derived === 'conflict' || derived === null) {
            throw new Error('internal: a learned incompatibility did not derive anything after backjumping');
          }
          changed.push(derived);
          queued.add(derived.id);
          break;
        }
        if (result !== null && !queued.has(result.id)) {
          changed.push(result);
          queued.add(result.id);
        }
      }
    }
    return null;
  }

  /** Derives from `inc` when all its terms but one are satisfied; reports a conflict when all are. */
  private propagateOne(inc: Incompatibility): PackageData | 'conflict' | null {
    let unsatisfied: Term | null = null;
    for (const term of inc.terms) {
      const relation = this.solution.relation(term);
      if (relation === 'contradicted') return null;
      if (relation === 'inconclusive') {
        if (unsatisfied !== null) return null;
        unsatisfied = term;
      }
    }
    if (unsatisfied === null) return 'conflict';
    this.solution.derive(unsatisfied.pkg, negate(unsatisfied).set, inc);
    return unsatisfied.pkg;
  }

  /**
   * Conflict resolution: walks back through the causes of the satisfied incompatibility, learning a
   * new one at each step, until it can backjump to a level where the learned one derives something.
   */
  private resolveConflict(start: Incompatibility): Incompatibility {
    let inc = start;
    let learned = false;
    while (!isFailure(inc)) {
      let mostRecentTerm: Term | null = null;
      let mostRecent: ReturnType<PartialSolution['satisfier']> | null = null;
      let difference: Bits | null = null;
      let previousLevel = 1;
      for (const term of inc.terms) {
        const satisfier = this.solution.satisfier(term);
        if (mostRecent === null) {
          mostRecentTerm = term;
          mostRecent = satisfier;
        } else if (mostRecent.index < satisfier.index) {
          previousLevel = Math.max(previousLevel, mostRecent.level);
          mostRecentTerm = term;
          mostRecent = satisfier;
          difference = null;
        } else {
          previousLevel = Math.max(previousLevel, satisfier.level);
        }
        if (mostRecentTerm === term) {
          const diff = minus(mostRecent.set, term.set);
          difference = isEmpty(diff) ? null : diff;
          if (difference !== null) {
            const inverse: Term = { pkg: term.pkg, set: complement(difference, term.pkg.universe) };
            previousLevel = Math.max(previousLevel, this.solution.satisfier(inverse).level);
          }
        }
      }
      if (mostRecent === null || mostRecentTerm === null) throw new Error('internal: an empty incompatibility is not a conflict');
      if (previousLevel < mostRecent.level || mostRecent.cause === null) {
        this.solution.backtrack(previousLevel);
        if (learned) this.add(inc);
        return inc;
      }
      const cause = mostRecent.cause;
      const terms: Term[] = inc.terms.filter((t) => t !== mostRecentTerm);
      for (const t of cause.terms) if (t.pkg !== mostRecent.pkg) terms.push(t);
      if (difference !== null) terms.push({ pkg: mostRecentTerm.pkg, set: complement(difference, mostRecentTerm.pkg.universe) });
      inc = incompatibility(terms, { type: 'conflict', conflict: inc, other: cause });
      learned = true;
    }
    return inc;
  }

  /**
   * Picks the undecided package with the fewest allowed versions, adds the dependencies of its
   * highest allowed version, and decides that version unless they already conflict.
   * Returns the package to propagate from, or null when every required package is decided.
   */
  private decideNext(): PackageData | null | Promise<PackageData | null> {
    const best = this.solution.nextUndecided();
    if (best === null) return null;
    const { pkg, allowed } = best;
    const index = highestBelow(allowed, pkg.n);
    if (index < 0) throw new Error(`internal: ${pkg.name} must be selected but no version is allowed`);
    const names = Object.keys(pkg.dependencies[index]!);
    let unloaded: string[] | null = null;
    for (const name of names) if (this.catalogue.peek(name) === undefined) (unloaded ??= []).push(name);
    // Only a candidate with unknown dependencies waits; the rest decide without a trip through
    // the microtask queue (a fan-out of thousands of packages makes thousands of decisions).
    if (unloaded === null) return this.tryCandidate(pkg, index, names);
    return Promise.all(unloaded.map((name) => this.catalogue.load(name))).then(() => this.tryCandidate(pkg, index, names));
  }

  /** Adds the dependencies of version `index` of `pkg` (all loaded) and decides it unless they conflict. */
  private tryCandidate(pkg: PackageData, index: number, names: readonly string[]): PackageData {
    const deps = pkg.dependencies[index]!;
    if (names.length === 0) {
      this.solution.decide(pkg, index);
      return pkg;
    }
    // Dependencies on packages the solution already constrains are checked first, the most
    // constrained first, and the first one that conflicts ends the attempt: the candidate is then
    // ruled out by propagation, and the other dependencies' version sets (one provider call per
    // version of the dependency) are never computed. When many candidates in a row fail this way
    // (a Rails release pins a dozen siblings exactly), this saves most of the work; trying first
    // the dependency that ruled out this package's previous candidates saves most of the rest.
    const blamed = this.blame.get(pkg.id);
    const ordered =
      names.length === 1
        ? names
        : names
            .map((name) => {
              const target = this.catalogue.peek(name)!;
              return { name, room: this.solution.room(target), blamed: blamed?.get(target.id) ?? 0 };
            })
            .sort((a, b) => b.blamed - a.blamed || a.room - b.room)
            .map((d) => d.name);
    let conflict = false;
    for (const name of ordered) {
      const inc = this.dependency(pkg, name, deps[name]!);
      if (inc === null) continue;
      if (this.rulesOut(inc, pkg, index)) {
        let counts = this.blame.get(pkg.id);
        if (!counts) this.blame.set(pkg.id, (counts = new Map()));
        const targetId = this.catalogue.peek(name)!.id;
        counts.set(targetId, (counts.get(targetId) ?? 0) + 1);
        conflict = true;
        break;
      }
    }
    if (!conflict) this.solution.decide(pkg, index);
    return pkg;
  }

  /**
   * Whether the dependency incompatibility `inc` already forbids version `index` of `pkg`. (A
   * self-dependency's incompatibility covers only the versions outside its own range, so for pkg's
   * own term the question is whether it covers this candidate.)
   */
  private rulesOut(inc: Incompatibility, pkg: PackageData, index: number): boolean {
    for (const t of inc.terms) {
      if (t.pkg === pkg ? !has(t.set, index) : !this.solution.satisfies(t)) return false;
    }
    return true;
  }

  /**
   * The incompatibility "versions S of pkg depend on dep ∈ range", where S is every version of pkg
   * with exactly this dependency (so one incompatibility covers them all). Built once per group;
   * null when it can never be violated (a version that depends on a range including itself).
   */
  private dependency(pkg: PackageData, name: string, range: string): Incompatibility | null {
    const key = `${pkg.id}\u0000${name}\u0000${range}`;
    const known = this.dependencyCache.get(key);
    if (known !== undefined) return known;
    const target = this.catalogue.peek(name)!;
    const dependers = this.catalogue.dependers(pkg, name, range);
    const matching = this.catalogue.matching(target, range);
    let inc: Incompatibility | null;
    if (target === pkg) {
      // A self-dependency is satisfied by the version itself when the range includes it.
      const excluded = minus(dependers, matching);
      inc = isEmpty(excluded) ? null : incompatibility([{ pkg, set: excluded }], { type: 'dependency', target, range });
    } else {
      const targetTerm: Term = { pkg: target, set: complement(matching, target.universe), label: range };
      const dependency = incompatibility([{ pkg, set: dependers }, targetTerm], { type: 'dependency', target, range });
      if (isEmpty(matching)) {
        // "dep ∉ ∅" holds always, so the dependency alone says nothing to the solver; what it
        // means is that these versions of pkg are unusable, which is what we record, with both
        // facts as its cause for the explanation.
        // Versions the source withheld (the advisory policy) are named, so that a package whose
        // every version is blocked does not read as one that does not exist.
        const withheld = this.catalogue.withheldIn(target, range);
        const missing = incompatibility(
          [{ pkg: target, set: emptySet(target.universe), label: range }],
          target.n === 0 && withheld.length === 0
            ? { type: 'notFound' }
            : {
                type: 'noVersions',
                range,
                prereleases: this.catalogue.prereleasesNear(target, range),
                invalidRange: !this.catalogue.isValidRange(range),
                withheld,
              },
        );
        inc = incompatibility([{ pkg, set: dependers }], { type: 'conflict', conflict: dependency, other: missing });
      } else {
        inc = dependency;
      }
    }
    this.dependencyCache.set(key, inc);
    if (inc !== null) this.add(inc);
    return inc;
  }
}
