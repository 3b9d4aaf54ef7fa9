/**
 * The failure as data: the derivation tree as JSON for host applications that draw it, and the
 * kind of failure, read off the facts the derivation rests on.
 */
import { rangeText } from './describe-term.js';
import { incompatibilityText } from './explain.js';
import { isPositive, versionsOf, type Incompatibility, type Term } from './incompatibility.js';
import type { Derivation, DerivationNode, DerivationTerm, UnsatisfiableKind } from './types.js';
import { elements, isEmpty } from './version-set.js';

function termJson(term: Term): DerivationTerm {
  const versions = versionsOf(term);
  const text = term.pkg.isRoot ? '' : term.label ?? rangeText(term.pkg, versions) ?? '*';
  return {
    package: term.pkg.name,
    positive: isPositive(term),
    range: text,
    versions: term.pkg.isRoot ? [] : elements(versions, term.pkg.n).map((i) => term.pkg.versions[i]!),
  };
}

export function derivationJson(failure: Incompatibility): Derivation {
  const ids = new Map<Incompatibility, number>();
  const order: Incompatibility[] = [];
  const pending = [failure];
  while (pending.length > 0) {
    const inc = pending.pop()!;
    if (ids.has(inc)) continue;
    ids.set(inc, order.length);
    order.push(inc);
    if (inc.cause.type === 'conflict') pending.push(inc.cause.other, inc.cause.conflict);
  }
  const incompatibilities = order.map((inc, id): DerivationNode => {
    const c = inc.cause;
    const first = inc.terms[0]?.pkg.name ?? '';
    let cause: DerivationNode['cause'];
    switch (c.type) {
      case 'root':
        cause = { type: 'root' };
        break;
      case 'dependency':
        cause = { type: 'dependency', package: first, dependency: c.target.name, range: c.range };
        break;
      case 'noVersions':
        cause = { type: 'noVersions', package: first, range: c.range, prereleases: [...c.prereleases], invalidRange: c.invalidRange, ...(c.withheld.length > 0 ? { withheld: [...c.withheld] } : {}) };
        break;
      case 'notFound':
        cause = { type: 'notFound', package: first };
        break;
      case 'conflict':
        cause = { type: 'conflict', conflict: ids.get(c.conflict)!, other: ids.get(c.other)! };
        break;
    }
    return { id, text: incompatibilityText(inc), terms: inc.terms.map(termJson), cause };
  });
  return { failure: 0, incompatibilities };
}

/** Every fact (non-derived incompatibility) the failure rests on, each once. */
function facts(failure: Incompatibility): Incompatibility[] {
  const seen = new Set<Incompatibility>();
  const out: Incompatibility[] = [];
  const pending = [failure];
  while (pending.length > 0) {
    const inc = pending.pop()!;
    if (seen.has(inc)) continue;
    seen.add(inc);
    if (inc.cause.type === 'conflict') pending.push(inc.cause.other, inc.cause.conflict);
    else out.push(inc);
  }
  return out;
}

/**
 * A real conflict is two requirements on one package that cannot both hold; anything else is a
 * package, or a version in range, that is simply missing (a dependency whose range matches
 * nothing counts as missing, not as a clash).
 */
export function failureKind(failure: Incompatibility): UnsatisfiableKind {
  const all = facts(failure);
  // target package → the packages (or root) whose dependencies on it the proof uses. Different
  // versions of one depender pinning different versions is not a clash: only one can be chosen.
  const targeted = new Map<number, Set<number>>();
  for (const inc of all) {
    if (inc.cause.type !== 'dependency' || inc.terms.length < 2) continue;
    const target = inc.terms[1]!;
    if (isEmpty(versionsOf(target))) continue;
    let dependers = targeted.get(target.pkg.id);
    if (!dependers) targeted.set(target.pkg.id, (dependers = new Set()));
    dependers.add(inc.terms[0]!.pkg.id);
  }
  const clash = [...targeted.values()].some((dependers) => dependers.size > 1);
  const missing = all.filter((inc) => inc.cause.type === 'notFound' || inc.cause.type === 'noVersions');
  if (clash || missing.length === 0) return 'conflict';
  if (missing.some((inc) => inc.cause.type === 'notFound')) return 'package-not-found';
  const withheld = missing.flatMap((inc) => (inc.cause.type === 'noVersions' ? inc.cause.withheld : []));
  if (withheld.length > 0) return withheld.every((w) => w.absentFrom !== undefined) ? 'not-in-store' : 'blocked-by-policy';
  if (missing.every((inc) => inc.cause.type === 'noVersions' && inc.cause.prereleases.length > 0)) return 'only-prereleases-in-range';
  return 'no-version-in-range';
}
