/**
 * Turns the incompatibility that refuted the root into what a person reads: numbered
 * "Because …, … is forbidden." lines down to the root requirement. This follows pub's
 * FailureReport (dart-lang/pub lib/src/solver/failure.dart): derived incompatibilities used more
 * than once get a line number and are referred to by it; chains of one derived and one external
 * cause are collapsed into "which depends on" sentences, so the text is as short as the
 * derivation allows.
 */
import { terse } from './describe-term.js';
import { chainOrder, foldChains, type ExplanationLine } from './fold-chains.js';
import { isFailure, isPositive, versionsOf, type Incompatibility, type Term } from './incompatibility.js';
import type { WithheldVersion } from './types.js';
import { equals, isSubset } from './version-set.js';

const isDerived = (inc: Incompatibility): boolean => inc.cause.type === 'conflict';

function verb(inc: Incompatibility): string {
  return inc.cause.type === 'dependency' ? 'depends on' : 'requires';
}

/** The one term matching `predicate`, or null when there are none or several. */
function single(inc: Incompatibility, predicate: (t: Term) => boolean): Term | null {
  let found: Term | null = null;
  for (const t of inc.terms) {
    if (!predicate(t)) continue;
    if (found !== null) return null;
    found = t;
  }
  return found;
}

/** "not foo ∈ V" read as the positive "foo ∈ V" is contained in `other`. */
function inverseSatisfies(negative: Term, other: Term): boolean {
  return negative.pkg === other.pkg && isPositive(other) && isSubset(versionsOf(negative), other.set);
}

const WITHHELD_SHOWN = 5;

/** "4.17.20 and 4.17.19 are blocked by GHSA-… (high)", one clause per distinct reason. */
export function withheldText(withheld: readonly WithheldVersion[]): string {
  const absent = withheld.filter((w) => w.absentFrom !== undefined);
  const blocked = withheld.filter((w) => w.absentFrom === undefined);
  return [...(blocked.length > 0 ? [blockedText(blocked)] : []), ...absent.map((w) => `${w.version} matches but is not in this store; it is on ${w.absentFrom}`)].join('; ');
}

/** What a source that left versions out allows, for the explanation's wording. */
function allowedBy(withheld: readonly WithheldVersion[]): string {
  return withheld.every((w) => w.absentFrom !== undefined) ? 'that are in this store' : 'that the advisory policy allows';
}

function blockedText(withheld: readonly WithheldVersion[]): string {
  const byReason = new Map<string, string[]>();
  for (const w of withheld) {
    let versions = byReason.get(w.reason);
    if (!versions) byReason.set(w.reason, (versions = []));
    versions.push(w.version);
  }
  const clauses = [...byReason].map(([reason, versions]) => {
    const shown = versions.slice(0, WITHHELD_SHOWN);
    const more = versions.length - shown.length;
    const list = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown[0]!;
    return `${list} ${versions.length > 1 ? 'are' : 'is'} blocked by ${reason}`;
  });
  return clauses.join('; ');
}

/** One incompatibility in words. */
export function incompatibilityText(inc: Incompatibility): string {
  const cause = inc.cause;
  if (isFailure(inc)) return 'version solving failed';
  switch (cause.type) {
    case 'dependency': {
      const depender = inc.terms[0]!;
      return `${terse(depender, true)} depends on ${cause.target.name} ${cause.range}`;
    }
    case 'noVersions': {
      const term = inc.terms[0]!;
      if (cause.invalidRange) return `${cause.range} is not a valid range for ${term.pkg.name}`;
      if (cause.withheld.length > 0) return `no versions of ${term.pkg.name} match ${cause.range} ${allowedBy(cause.withheld)} (${withheldText(cause.withheld)})`;
      const base = `no versions of ${term.pkg.name} match ${cause.range}`;
      if (cause.prereleases.length === 0) return base;
      return `${base} (only the prerelease${cause.prereleases.length > 1 ? 's' : ''} ${cause.prereleases.join(', ')}, which a range admits only when it names a prerelease of the same version)`;
    }
    case 'notFound':
      return `no package named ${inc.terms[0]!.pkg.name} exists`;
    case 'root':
      return `${inc.terms[0]!.pkg.name} is required`;
    case 'conflict':
      break;
  }
  if (inc.terms.length === 1) {
    const term = inc.terms[0]!;
    return isPositive(term) ? `${terse(term)} is forbidden` : `${terse(term)} is required`;
  }
  if (inc.terms.length === 2) {
    const [a, b] = inc.terms as [Term, Term];
    if (isPositive(a) === isPositive(b)) {
      return isPositive(a) ? `${terse(a)} is incompatible with ${terse(b)}` : `either ${terse(a)} or ${terse(b)}`;
    }
  }
  const positive = inc.terms.filter(isPositive);
  const negative = inc.terms.filter((t) => !isPositive(t));
  if (positive.length > 0 && negative.length > 0) {
    const needed = negative.map((t) => terse(t)).join(' or ');
    if (positive.length === 1) return `${terse(positive[0]!, true)} requires ${needed}`;
    return `if ${positive.map((t) => terse(t)).join(' and ')} then ${needed}`;
  }
  if (positive.length > 0) return `one of ${positive.map((t) => terse(t)).join(' or ')} must be false`;
  return `one of ${negative.map((t) => terse(t)).join(' or ')} must be true`;
}

const withLine = (text: string, line: number | undefined): string => (line === undefined ? text : `${text} (${line})`);

/** "A and B" for two incompatibilities, in the most natural form that applies. */
function andText(a: Incompatibility, b: Incompatibility, aLine?: number, bLine?: number): string {
  return (
    requiresBoth(a, b, aLine, bLine) ??
    requiresThrough(a, b, aLine, bLine) ??
    requiresForbidden(a, b, aLine, bLine) ??
    `${withLine(incompatibilityText(a), aLine)} and ${withLine(incompatibilityText(b), bLine)}`
  );
}

/**
 * "foo depends on both bar ^1.0.0 and baz ^2.0.0". One subject for two statements is true only
 * when both are about the same versions of foo: "foo >=1.1.0 depends on c ^1.1.0" and "foo <1.1.0
 * depends on c ^1.0.0" are not "foo >=1.1.0 depends on both" (pub compares the whole term, range
 * included, for the same reason).
 */
function requiresBoth(a: Incompatibility, b: Incompatibility, aLine?: number, bLine?: number): string | null {
  if (a.terms.length === 1 || b.terms.length === 1) return null;
  const aPositive = single(a, isPositive);
  const bPositive = single(b, isPositive);
  if (aPositive === null || bPositive === null || aPositive.pkg !== bPositive.pkg) return null;
  if (!equals(aPositive.set, bPositive.set)) return null;
  const aNeeds = a.terms.filter((t) => !isPositive(t)).map((t) => terse(t)).join(' or ');
  const bNeeds = b.terms.filter((t) => !isPositive(t)).map((t) => terse(t)).join(' or ');
  const both = a.cause.type === 'dependency' && b.cause.type === 'dependency' ? 'depends on' : 'requires';
  return `${terse(aPositive, true)} ${both} both ${withLine(aNeeds, aLine)} and ${withLine(bNeeds, bLine)}`;
}

/** "foo depends on bar ^2.0.0 which depends on baz ^3.0.0" */
function requiresThrough(a: Incompatibility, b: Incompatibility, aLine?: number, bLine?: number): string | null {
  if (a.terms.length === 1 || b.terms.length === 1) return null;
  const aNegative = single(a, (t) => !isPositive(t));
  const bNegative = single(b, (t) => !isPositive(t));
  if (aNegative === null && bNegative === null) return null;
  const aPositive = single(a, isPositive);
  const bPositive = single(b, isPositive);
  let prior: Incompatibility, priorNegative: Term, priorLine: number | undefined;
  let latter: Incompatibility, latterLine: number | undefined;
  if (aNegative !== null && bPositive !== null && inverseSatisfies(aNegative, bPositive)) {
    [prior, priorNegative, priorLine, latter, latterLine] = [a, aNegative, aLine, b, bLine];
  } else if (bNegative !== null && aPositive !== null && inverseSatisfies(bNegative, aPositive)) {
    [prior, priorNegative, priorLine, latter, latterLine] = [b, bNegative, bLine, a, aLine];
  } else {
    return null;
  }
  const priorPositives = prior.terms.filter(isPositive);
  const head =
    priorPositives.length === 1
      ? `${terse(priorPositives[0]!, true)} ${verb(prior)} `
      : `if ${priorPositives.map((t) => terse(t)).join(' or ')} then `;
  const latterNeeds = latter.terms.filter((t) => !isPositive(t)).map((t) => terse(t)).join(' or ');
  return `${head}${withLine(terse(priorNegative), priorLine)} which ${verb(latter)} ${withLine(latterNeeds, latterLine)}`;
}

/** "foo depends on bar ^2.0.0 which doesn't match any versions" / "… which is forbidden" */
function requiresForbidden(a: Incompatibility, b: Incompatibility, aLine?: number, bLine?: number): string | null {
  if (a.terms.length !== 1 && b.terms.length !== 1) return null;
  const [prior, priorLine, latter, latterLine] = a.terms.length === 1 ? [b, bLine, a, aLine] : [a, aLine, b, bLine];
  const negative = single(prior, (t) => !isPositive(t));
  if (negative === null) return null;
  const latterTerm = latter.terms[0]!;
  if (!inverseSatisfies(negative, latterTerm)) return null;
  const positives = prior.terms.filter(isPositive);
  if (positives.length === 0) return null;
  const head =
    positives.length === 1
      ? `${terse(positives[0]!, true)} ${verb(prior)} `
      : `if ${positives.map((t) => terse(t)).join(' or ')} then `;
  return `${head}${withLine(terse(negative), priorLine)}${withLine(missingTail(latter), latterLine)}`;
}

/** " which doesn't match any versions" and the like, for a requirement `latter` rules out. */
function missingTail(latter: Incompatibility): string {
  if (latter.cause.type === 'noVersions' && latter.cause.invalidRange) return ` which is not a valid range`;
  if (latter.cause.type === 'noVersions' && latter.cause.withheld.length > 0) {
    return ` which doesn't match any version ${allowedBy(latter.cause.withheld).replace(/^that are/, 'that is').replace(/^that the/, 'the')} (${withheldText(latter.cause.withheld)})`;
  }
  if (latter.cause.type === 'noVersions') {
    const pre = latter.cause.prereleases;
    if (pre.length === 0) return ` which doesn't match any versions`;
    return ` which doesn't match any versions (only the prerelease${pre.length > 1 ? 's' : ''} ${pre.join(', ')}, which a range admits only when it names a prerelease of the same version)`;
  }
  if (latter.cause.type === 'notFound') return ` which doesn't exist (no package named ${latter.terms[0]!.pkg.name})`;
  return ' which is forbidden';
}

/** Writes the explanation of a failure. */
export function explain(failure: Incompatibility): string {
  const derivations = new Map<Incompatibility, number>();
  // Iterative walks throughout: a chain of thousands of dependencies gives a derivation thousands
  // deep, which recursion would not survive.
  const pending: Incompatibility[] = [failure];
  while (pending.length > 0) {
    const inc = pending.pop()!;
    const seen = derivations.get(inc);
    derivations.set(inc, (seen ?? 0) + 1);
    if (seen === undefined && inc.cause.type === 'conflict') pending.push(inc.cause.other, inc.cause.conflict);
  }

  const lines: ExplanationLine[] = [];
  const lineNumbers = new Map<Incompatibility, number>();

  /** `about` says what the line concluded from what, for fold-chains.ts. */
  const write = (inc: Incompatibility, text: string, numbered = false, about: Partial<ExplanationLine> = {}): void => {
    const line = numbered ? lineNumbers.size + 1 : undefined;
    if (line !== undefined) lineNumbers.set(inc, line);
    lines.push({ ...about, text, ...(line === undefined ? {} : { line }) });
  };
  /** What a line concluded, when it only walked down dependencies (see fold-chains.ts). */
  const chainStep = (
    conclusion: Incompatibility,
    premise: Incompatibility | null,
    facts: Incompatibility[],
    opening: string,
  ): Partial<ExplanationLine> => {
    const ordered = chainOrder(facts);
    return ordered === null ? {} : { chain: { premise, facts: ordered, conclusion, opening } };
  };
  /** "p depends on x R" and "nothing satisfies x R", when that is what `a` and `b` are. */
  const deadEnd = (conclusion: Incompatibility, a: Incompatibility, b: Incompatibility): Partial<ExplanationLine> => {
    const missing = (inc: Incompatibility): boolean => inc.cause.type === 'noVersions' || inc.cause.type === 'notFound';
    const [fact, end] = missing(b) ? [a, b] : [b, a];
    if (!missing(end) || fact.cause.type !== 'dependency' || fact.terms.length !== 2) return {};
    const target = fact.terms[1]!;
    if (isPositive(target) || !isPositive(fact.terms[0]!) || !inverseSatisfies(target, end.terms[0]!)) return {};
    return { deadEnd: { fact, missing: end, tail: missingTail(end), conclusion } };
  };

  const singleLine = (inc: Incompatibility): boolean =>
    inc.cause.type === 'conflict' && !isDerived(inc.cause.conflict) && !isDerived(inc.cause.other);

  const collapsible = (inc: Incompatibility): boolean => {
    if ((derivations.get(inc) ?? 0) > 1 || inc.cause.type !== 'conflict') return false;
    const { conflict, other } = inc.cause;
    if (isDerived(conflict) === isDerived(other)) return false;
    return !lineNumbers.has(isDerived(conflict) ? conflict : other);
  };

  // visit() of pub's writer, run from an explicit stack: a step pushes what it would have done
  // (visits of causes, then its own line) and each is done in that order; a line's text is
  // computed when it is written, after the visits before it, exactly as in the recursive form.
  type Step = { inc: Incompatibility; conclusion: boolean } | (() => void);
  const todo: Step[] = [];
  const then = (...steps: Step[]): void => {
    for (let i = steps.length - 1; i >= 0; i--) todo.push(steps[i]!);
  };
  const visit = (inc: Incompatibility, conclusion = false): Step => ({ inc, conclusion });
  const step = (inc: Incompatibility, conclusion: boolean): void => {
    const numbered = conclusion || (derivations.get(inc) ?? 0) > 1;
    const conjunction = conclusion || inc === failure ? 'So,' : 'And';
    const text = incompatibilityText(inc);
    if (inc.cause.type !== 'conflict') return;
    const { conflict, other } = inc.cause;
    if (isDerived(conflict) && isDerived(other)) {
      const conflictLine = lineNumbers.get(conflict);
      const otherLine = lineNumbers.get(other);
      if (conflictLine !== undefined && otherLine !== undefined) {
        then(() => write(inc, `Because ${andText(conflict, other, conflictLine, otherLine)}, ${text}.`, numbered));
      } else if (conflictLine !== undefined || otherLine !== undefined) {
        const [known, knownLine, unknown] =
          conflictLine !== undefined ? [conflict, conflictLine, other] : [other, otherLine!, conflict];
        then(visit(unknown), () => write(inc, `${conjunction} because ${incompatibilityText(known)} (${knownLine}), ${text}.`, numbered));
      } else if (singleLine(conflict) || singleLine(other)) {
        const first = singleLine(other) ? conflict : other;
        const second = singleLine(other) ? other : conflict;
        then(visit(first), visit(second), () => write(inc, `Thus, ${text}.`, numbered, { joining: { premises: [first, second], conclusion: inc } }));
      } else {
        then(
          visit(conflict, true),
          () => lines.push({ text: '' }),
          visit(other),
          () => write(inc, `${conjunction} because ${incompatibilityText(conflict)} (${lineNumbers.get(conflict)}), ${text}.`, numbered),
        );
      }
    } else if (isDerived(conflict) || isDerived(other)) {
      const derived = isDerived(conflict) ? conflict : other;
      const external = isDerived(conflict) ? other : conflict;
      const derivedLine = lineNumbers.get(derived);
      if (derivedLine !== undefined) {
        then(() => write(inc, `Because ${andText(external, derived, undefined, derivedLine)}, ${text}.`, numbered));
      } else if (collapsible(derived) && derived.cause.type === 'conflict') {
        const inner = derived.cause;
        const collapsedDerived = isDerived(inner.conflict) ? inner.conflict : inner.other;
        const collapsedExternal = isDerived(inner.conflict) ? inner.other : inner.conflict;
        const opening = `${conjunction} because`;
        then(visit(collapsedDerived), () =>
          write(inc, `${opening} ${andText(collapsedExternal, external)}, ${text}.`, numbered,
            chainStep(inc, collapsedDerived, [collapsedExternal, external], opening)),
        );
      } else {
        const opening = `${conjunction} because`;
        then(visit(derived), () =>
          write(inc, `${opening} ${incompatibilityText(external)}, ${text}.`, numbered, chainStep(inc, derived, [external], opening)),
        );
      }
    } else {
      then(() =>
        write(inc, `Because ${andText(conflict, other)}, ${text}.`, numbered, {
          ...chainStep(inc, null, [conflict, other], 'Because'),
          ...deadEnd(inc, conflict, other),
        }),
      );
    }
  };

  if (failure.cause.type === 'conflict') {
    todo.push(visit(failure));
    while (todo.length > 0) {
      const next = todo.pop()!;
      if (typeof next === 'function') next();
      else step(next.inc, next.conclusion);
    }
  }
  else write(failure, `Because ${incompatibilityText(failure)}, version solving failed.`);

  const out: string[] = [];
  let lastEmpty = false;
  for (const { text, line } of foldChains(lines, incompatibilityText)) {
    if (text === '') {
      if (!lastEmpty && out.length > 0) out.push('');
      lastEmpty = true;
      continue;
    }
    lastEmpty = false;
    out.push(line === undefined ? text : `${text} (${line})`);
  }
  return out.join('\n');
}

