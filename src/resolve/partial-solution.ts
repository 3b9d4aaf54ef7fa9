/**
 * PubGrub's partial solution: the ordered list of decisions ("foo is 1.2.0") and derivations
 * ("foo must be ^1.0.0, because of incompatibility I"), with each package's accumulated term
 * (the intersection of its assignments) kept up to date.
 */
import type { PackageData } from './catalogue.js';
import type { Incompatibility, Term } from './incompatibility.js';
import { count, has, intersect, isDisjoint, isSubset, singleton, type Bits } from './version-set.js';

export interface Assignment {
  readonly pkg: PackageData;
  readonly set: Bits;
  readonly level: number;
  /** null for a decision. */
  readonly cause: Incompatibility | null;
  /** Position in the assignment list (later assignments have higher indices). */
  readonly index: number;
}

/** Package ids stay below 2^21 in heap keys (two million packages in one resolution). */
const ID_SPAN = 2 ** 21;

export type Relation = 'satisfied' | 'contradicted' | 'inconclusive';

export class PartialSolution {
  private readonly assignments: Assignment[] = [];
  private readonly accumulated = new Map<number, Bits>();
  private readonly perPackage = new Map<number, Assignment[]>();
  private readonly decisions = new Map<number, number>();
  private readonly packages = new Map<number, PackageData>();
  /** Undecided packages that must be selected → their number of allowed versions. */
  private readonly pending = new Map<number, number>();
  /**
   * Min-heap of keys `allowed versions × 2^21 + package id` (plain numbers: no allocation, and the
   * order is fewest versions first, then the package met first). A key is current when `pending`
   * agrees with it; stale keys are dropped when they reach the top.
   */
  private readonly heap: number[] = [];
  level = 0;

  /** What the solution says about the term's package, compared with the term. */
  relation(term: Term): Relation {
    const acc = this.accumulated.get(term.pkg.id);
    // With no assignment the package is unconstrained: its term is the whole universe, which no
    // term of a (non-trivial) incompatibility contains, and which every non-empty term overlaps.
    if (!acc) return 'inconclusive';
    if (isSubset(acc, term.set)) return 'satisfied';
    if (isDisjoint(acc, term.set)) return 'contradicted';
    return 'inconclusive';
  }

  satisfies(term: Term): boolean {
    return this.relation(term) === 'satisfied';
  }

  decide(pkg: PackageData, versionIndex: number): void {
    this.level++;
    this.decisions.set(pkg.id, versionIndex);
    this.assign(pkg, singleton(pkg.universe, versionIndex), null);
    this.pending.delete(pkg.id);
  }

  derive(pkg: PackageData, set: Bits, cause: Incompatibility): void {
    this.assign(pkg, set, cause);
  }

  private assign(pkg: PackageData, set: Bits, cause: Incompatibility | null): void {
    const assignment: Assignment = { pkg, set, level: this.level, cause, index: this.assignments.length };
    this.assignments.push(assignment);
    this.packages.set(pkg.id, pkg);
    const acc = this.accumulated.get(pkg.id);
    // A decision picks a version the accumulated term allows, so it is the new term itself.
    this.accumulated.set(pkg.id, acc === undefined || cause === null ? set : intersect(acc, set));
    let list = this.perPackage.get(pkg.id);
    if (!list) this.perPackage.set(pkg.id, (list = []));
    list.push(assignment);
    this.refresh(pkg);
  }

  /** Undoes every assignment made after decision level `level`. */
  backtrack(level: number): void {
    const touched = new Set<number>();
    while (this.assignments.length > 0 && this.assignments[this.assignments.length - 1]!.level > level) {
      const a = this.assignments.pop()!;
      touched.add(a.pkg.id);
      this.perPackage.get(a.pkg.id)!.pop();
      if (a.cause === null) this.decisions.delete(a.pkg.id);
    }
    for (const id of touched) {
      const list = this.perPackage.get(id)!;
      if (list.length === 0) {
        this.perPackage.delete(id);
        this.accumulated.delete(id);
      } else {
        let acc = list[0]!.set;
        for (let i = 1; i < list.length; i++) acc = intersect(acc, list[i]!.set);
        this.accumulated.set(id, acc);
      }
      this.refresh(this.packages.get(id)!);
    }
    this.level = level;
  }

  /** The earliest assignment after which the solution satisfies `term`. */
  satisfier(term: Term): Assignment {
    const list = this.perPackage.get(term.pkg.id) ?? [];
    let acc: Bits | null = null;
    for (const a of list) {
      acc = acc === null ? a.set : intersect(acc, a.set);
      if (isSubset(acc, term.set)) return a;
    }
    throw new Error(`internal: no assignment satisfies the term on ${term.pkg.name}`);
  }

  /**
   * The package to decide next: among those that must be selected (positive accumulated term) and
   * have no version yet, the one with the fewest allowed versions (ties: the one met first).
   * Kept in a heap with lazy deletion, so a fan-out of thousands of packages costs a logarithm per
   * decision rather than a scan.
   */
  nextUndecided(): { pkg: PackageData; allowed: Bits } | null {
    while (this.heap.length > 0) {
      const key = this.heap[0]!;
      const id = key % ID_SPAN;
      if (this.pending.get(id) === (key - id) / ID_SPAN) return { pkg: this.packages.get(id)!, allowed: this.accumulated.get(id)! };
      this.heapPop();
    }
    return null;
  }

  /** Records whether a package now waits for a decision, and with how many candidates. */
  private refresh(pkg: PackageData): void {
    const acc = this.accumulated.get(pkg.id);
    if (acc === undefined || this.decisions.has(pkg.id) || has(acc, pkg.n)) {
      this.pending.delete(pkg.id);
      return;
    }
    const candidates = count(acc);
    if (this.pending.get(pkg.id) === candidates) return;
    if (pkg.id >= ID_SPAN) throw new Error(`internal: more than ${ID_SPAN} packages in one resolution`);
    this.pending.set(pkg.id, candidates);
    this.heapPush(candidates * ID_SPAN + pkg.id);
  }

  private heapPush(key: number): void {
    const h = this.heap;
    let i = h.length;
    h.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= key) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = key;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const m = r < h.length && h[r]! < h[l]! ? r : l;
      if (h[m]! >= last) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
  }

  /**
   * How many elements (versions, and ABSENT) the package's accumulated term still allows;
   * Infinity when nothing constrains it yet (no term of an incompatibility can then be satisfied).
   */
  room(pkg: PackageData): number {
    const acc = this.accumulated.get(pkg.id);
    return acc ? count(acc) : Infinity;
  }

  /** The decided version index of every selected package. */
  decided(): ReadonlyMap<number, number> {
    return this.decisions;
  }

  packageById(id: number): PackageData | undefined {
    return this.packages.get(id);
  }
}
