/**
 * Terms and incompatibilities, the two notions PubGrub reasons with.
 *
 * A term is a statement about one package, held as a set over that package's universe (see
 * version-set.ts): it is positive ("foo is selected, at one of these versions") when ABSENT is not
 * in the set, negative ("foo is not selected at these versions") when it is. An incompatibility is
 * a set of terms that cannot all be true at once; its cause records where it came from, which is
 * what the explanation of a failure is written from.
 */
import type { PackageData } from './catalogue.js';
import type { WithheldVersion } from './types.js';
import { complement, equals, has, intersect, type Bits } from './version-set.js';

export interface Term {
  readonly pkg: PackageData;
  readonly set: Bits;
  /**
   * The range this term was written with (a dependency or root requirement), kept so the
   * explanation can quote it ("bar ^2.0.0") rather than spell out the versions it matched.
   * It describes the term's versions: the set itself when positive, its complement when negative.
   */
  readonly label?: string;
}

export type Cause =
  /** The root must be selected. */
  | { readonly type: 'root' }
  /** terms[0] (the depender) depends on `target` with `range`; terms[1] is the target's negative term. */
  | { readonly type: 'dependency'; readonly target: PackageData; readonly range: string }
  /** No known version of the single term's package matches `range` (`withheld`: ones that would, left out by the source). */
  | { readonly type: 'noVersions'; readonly range: string; readonly prereleases: readonly string[]; readonly invalidRange: boolean; readonly withheld: readonly WithheldVersion[] }
  /** The single term's package does not exist in the source. */
  | { readonly type: 'notFound' }
  /** Derived during conflict resolution from two earlier incompatibilities. */
  | { readonly type: 'conflict'; readonly conflict: Incompatibility; readonly other: Incompatibility };

export interface Incompatibility {
  readonly terms: readonly Term[];
  readonly cause: Cause;
}

export function isPositive(term: Term): boolean {
  return !has(term.set, term.pkg.n);
}

export function negate(term: Term): Term {
  return { pkg: term.pkg, set: complement(term.set, term.pkg.universe) };
}

/** The versions a term talks about: "foo ∈ V" when positive, "not foo ∈ V" when negative. */
export function versionsOf(term: Term): Bits {
  return isPositive(term) ? term.set : complement(term.set, term.pkg.universe);
}

/**
 * Builds an incompatibility: terms for the same package are merged (their conjunction), and a
 * derived incompatibility drops positive root terms, which the root always satisfies.
 */
export function incompatibility(terms: readonly Term[], cause: Cause): Incompatibility {
  // Incompatibilities have a handful of terms, so a quadratic merge beats building a Map.
  const list: Term[] = [];
  for (const term of terms) {
    let at = -1;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.pkg === term.pkg) {
        at = i;
        break;
      }
    }
    if (at === -1) {
      list.push(term);
      continue;
    }
    const prior = list[at]!;
    const set = intersect(prior.set, term.set);
    const label = equals(set, prior.set) ? prior.label : equals(set, term.set) ? term.label : undefined;
    list[at] = label === undefined ? { pkg: term.pkg, set } : { pkg: term.pkg, set, label };
  }
  if (cause.type === 'conflict' && list.length > 1) {
    const kept = list.filter((t) => !(t.pkg.isRoot && isPositive(t)));
    return { terms: kept, cause };
  }
  return { terms: list, cause };
}

/** True for the incompatibility that ends the solve: nothing at all, or "the root is forbidden". */
export function isFailure(inc: Incompatibility): boolean {
  return inc.terms.length === 0 || (inc.terms.length === 1 && inc.terms[0]!.pkg.isRoot && isPositive(inc.terms[0]!));
}
