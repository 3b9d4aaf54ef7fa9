/**
 * Folds the repetition of a long dependency chain out of an explanation. A chain a → b → … → z
 * is derived one or two links at a time, so pub's writer tells it as one line per step ("And
 * because every version of a58 depends on a59 ^1.0.0 which depends on x ^2.0.0, every version of
 * a00 requires x ^2.0.0.") — 150 near-identical lines for a chain of 300. Here consecutive lines
 * that only extend the same chain are told as one sentence naming both ends, how many packages
 * lie between and the whole path on one line:
 *
 *   Because every version of a00 depends on x ^2.0.0 through 59 packages (a00 → a01 → … → a59 →
 *   x, each dependency ^1.0.0 except the last), every version of a00 requires x ^2.0.0.
 *
 * A run is folded only when every link is a dependency fact whose depender covers every version
 * the link before it allows (so "each version on the way depends on the next" is true of the
 * metadata), each line builds on the line just before it, and no line but the last is numbered
 * (a numbered line is referred to later and must stay). The folded sentence rests on the same
 * facts and the same earlier line as the lines it replaces, so its conclusion still follows.
 * The derivation itself (details.derivation) is not touched: only the text folds.
 *
 * Two more folds build on the same records: a chain that ends in a requirement nothing satisfies
 * is told with its end in one sentence (foldDeadEnds), and versions of one package ruled out one
 * after another for the same reason are told in one sentence with a count (foldEliminations).
 * Each line explain.ts writes records what it concluded from what (ExplanationLine), so every
 * fold checks the derivation, never the wording.
 */
import { terse } from './describe-term.js';
import { isPositive, versionsOf, type Incompatibility } from './incompatibility.js';
import { isSubset } from './version-set.js';

/** What one line of the explanation concluded from what, when it only walked down dependencies. */
export interface ChainStep {
  /** The derived incompatibility the line builds on (concluded by the line before it), or null. */
  readonly premise: Incompatibility | null;
  /** Dependency facts in chain order: each one's depender is the previous one's target. */
  readonly facts: readonly Incompatibility[];
  readonly conclusion: Incompatibility;
  /** "Because", "And because" or "So, because". */
  readonly opening: string;
}

/** A line "Because p depends on x R which doesn't match any versions / doesn't exist, p is forbidden." */
export interface DeadEnd {
  /** The dependency fact p → x R. */
  readonly fact: Incompatibility;
  /** The fact that nothing satisfies x R (no version matches, no such package, invalid range). */
  readonly missing: Incompatibility;
  /** How explain.ts ends such a line: " which doesn't match any versions", " which doesn't exist (…)". */
  readonly tail: string;
  readonly conclusion: Incompatibility;
}

/**
 * A line "And because p V depends on q R which depends on x S which doesn't match any versions,
 * p W is forbidden.": one more set of versions V of p ruled out, building on the line before.
 */
interface Elimination {
  readonly premise: Incompatibility | null;
  readonly opening: string;
  /** p V → q R */
  readonly dependency: Incompatibility;
  /** q → x S, for every version of q that R allows */
  readonly end: Incompatibility;
  readonly tail: string;
  readonly conclusion: Incompatibility;
}

/** A line "Thus, …" concluding from the two derived incompatibilities just before it. */
export interface Joining {
  readonly premises: readonly [Incompatibility, Incompatibility];
  readonly conclusion: Incompatibility;
}

export interface ExplanationLine {
  readonly text: string;
  readonly line?: number;
  readonly chain?: ChainStep;
  readonly deadEnd?: DeadEnd;
  readonly joining?: Joining;
  readonly elimination?: Elimination;
}

/** A run of at most this many links keeps pub's "a depends on b which depends on c …" form. */
const SPELLED_OUT_LINKS = 3;

function isDependencyFact(inc: Incompatibility): boolean {
  return inc.cause.type === 'dependency' && inc.terms.length === 2 && isPositive(inc.terms[0]!) && !isPositive(inc.terms[1]!);
}

/**
 * Whether `next` continues `prior`: `next` is about the package `prior` depends on, and about
 * every version of it that `prior`'s range allows.
 */
function links(prior: Incompatibility, next: Incompatibility): boolean {
  const target = prior.terms[1]!;
  const depender = next.terms[0]!;
  return target.pkg === depender.pkg && isSubset(versionsOf(target), depender.set);
}

/** The facts in chain order when they are dependency facts that form one chain, else null. */
export function chainOrder(facts: readonly Incompatibility[]): Incompatibility[] | null {
  if (facts.length === 0 || !facts.every(isDependencyFact)) return null;
  if (facts.length === 1) return [facts[0]!];
  if (facts.length !== 2) return null;
  const [a, b] = facts as [Incompatibility, Incompatibility];
  if (links(a, b)) return [a, b];
  if (links(b, a)) return [b, a];
  return null;
}

function targetOf(fact: Incompatibility): { name: string; range: string } {
  const cause = fact.cause;
  if (cause.type !== 'dependency') throw new Error('a chain link is a dependency');
  return { name: cause.target.name, range: cause.range };
}

/** One chain of dependency facts as a clause: "a depends on b ^1.0.0 which depends on c ^2.0.0". */
export function chainText(facts: readonly Incompatibility[]): string {
  const subject = terse(facts[0]!.terms[0]!, true);
  const targets = facts.map(targetOf);
  if (facts.length <= SPELLED_OUT_LINKS) {
    return `${subject} depends on ${targets.map((t) => `${t.name} ${t.range}`).join(' which depends on ')}`;
  }
  const end = targets.at(-1)!;
  const between = facts.length - 1;
  const names = [facts[0]!.terms[0]!.pkg.name, ...targets.map((t) => t.name)];
  const ranges = targets.map((t) => t.range);
  const inner = ranges.slice(0, -1);
  let path: string;
  if (ranges.every((r) => r === ranges[0])) path = `${names.join(' → ')}, each dependency ${ranges[0]}`;
  else if (inner.every((r) => r === inner[0])) path = `${names.join(' → ')}, each dependency ${inner[0]} except the last`;
  else path = [names[0]!, ...targets.map((t) => `${t.name} ${t.range}`)].join(' → ');
  return `${subject} depends on ${end.name} ${end.range} through ${between} package${between === 1 ? '' : 's'} (${path})`;
}

/** Whether line `next` only extends the chain that line `prior` ends with. */
function continues(prior: ExplanationLine, next: ExplanationLine): boolean {
  if (!prior.chain || !next.chain || prior.line !== undefined) return false;
  if (next.chain.premise !== prior.chain.conclusion) return false;
  return links(prior.chain.facts.at(-1)!, next.chain.facts[0]!);
}

function fold(run: readonly ExplanationLine[], describe: (inc: Incompatibility) => string): ExplanationLine {
  if (run.length === 1) return run[0]!;
  const first = run[0]!.chain!;
  const last = run.at(-1)!;
  const facts = run.flatMap((l) => l.chain!.facts);
  // A run that starts afresh stays a fresh "Because"; one that builds on the line before it says so.
  const opening = first.premise === null ? 'Because' : last.chain!.opening;
  const text = `${opening} ${chainText(facts)}, ${describe(last.chain!.conclusion)}.`;
  const chain: ChainStep = { premise: first.premise, facts, conclusion: last.chain!.conclusion, opening };
  return last.line === undefined ? { text, chain } : { text, line: last.line, chain };
}

/**
 * A chain that ends in a requirement nothing satisfies is told with its end: the three lines
 * "Because a depends on z R through N packages (…), a requires z R." / "Because z depends on x S
 * which doesn't match any versions, z is forbidden." / "Thus, a is forbidden." become "Because a
 * depends on x S through N+1 packages (…) and no versions of x match S, a is forbidden.", and a
 * short chain reads as pub's "a depends on b R which depends on x S which doesn't match any
 * versions". Only when neither of the first two lines is numbered (nothing refers back to them).
 */
function foldDeadEnds(lines: readonly ExplanationLine[], describe: (inc: Incompatibility) => string): ExplanationLine[] {
  const out: ExplanationLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [chainLine, endLine, thusLine] = [lines[i]!, lines[i + 1], lines[i + 2]];
    const chain = chainLine.chain;
    const end = endLine?.deadEnd;
    const joining = thusLine?.joining;
    const fits =
      chain !== undefined &&
      end !== undefined &&
      joining !== undefined &&
      chainLine.line === undefined &&
      endLine!.line === undefined &&
      joining.premises.includes(chain.conclusion) &&
      joining.premises.includes(end.conclusion) &&
      links(chain.facts.at(-1)!, end.fact);
    if (!fits) {
      out.push(chainLine);
      continue;
    }
    const facts = [...chain.facts, end.fact];
    const told = facts.length > SPELLED_OUT_LINKS ? ` and ${describe(end.missing)}` : end.tail;
    const text = `${chain.opening} ${chainText(facts)}${told}, ${describe(joining.conclusion)}.`;
    const elimination: Elimination | undefined =
      chain.facts.length === 1
        ? { premise: chain.premise, opening: chain.opening, dependency: chain.facts[0]!, end: end.fact, tail: end.tail, conclusion: joining.conclusion }
        : undefined;
    out.push({ text, ...(thusLine!.line === undefined ? {} : { line: thusLine!.line }), ...(elimination ? { elimination } : {}) });
    i += 2;
  }
  return out;
}

/** At least this many eliminations of the same shape in a row are told as one sentence. */
const ELIMINATIONS_FOLDED = 3;

/** Whether elimination `next` is `prior` again for other versions of the same package. */
function sameShape(prior: Elimination, next: Elimination): boolean {
  const [a, b] = [prior.end.cause, next.end.cause];
  return (
    next.premise === prior.conclusion &&
    prior.dependency.terms[0]!.pkg === next.dependency.terms[0]!.pkg &&
    a.type === 'dependency' &&
    b.type === 'dependency' &&
    a.target === b.target &&
    a.range === b.range &&
    prior.tail === next.tail
  );
}

/**
 * Versions of one package ruled out one after another for the same reason ("app 1.2.0 depends on
 * lib2 ^1.0.0 which depends on x ^2.0.0 which doesn't match any versions, app <1.3.0 is
 * forbidden", then the same for app 1.3.0 and lib3, …) are told in one sentence with a count:
 * "app 1.2.0 depends on lib2 ^1.0.0, app 1.3.0 on lib3 ^1.0.0, … and app >=1.7.0 on lib7 ^1.0.0
 * (6 dependencies), each of which depends on x ^2.0.0 which doesn't match any versions".
 */
function foldEliminations(lines: readonly ExplanationLine[], describe: (inc: Incompatibility) => string): ExplanationLine[] {
  const out: ExplanationLine[] = [];
  let run: ExplanationLine[] = [];
  const flush = (): void => {
    if (run.length < ELIMINATIONS_FOLDED) {
      out.push(...run);
    } else {
      const steps = run.map((l) => l.elimination!);
      const first = steps[0]!;
      const last = steps.at(-1)!;
      const items = steps.map((e, i) => {
        const target = e.dependency.cause.type === 'dependency' ? `${e.dependency.cause.target.name} ${e.dependency.cause.range}` : '';
        return `${terse(e.dependency.terms[0]!, true)} ${i === 0 ? 'depends on' : 'on'} ${target}`;
      });
      const list = `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
      const end = last.end.cause.type === 'dependency' ? `${last.end.cause.target.name} ${last.end.cause.range}` : '';
      const opening = first.premise === null ? 'Because' : last.opening;
      const text = `${opening} ${list} (${steps.length} dependencies), each of which depends on ${end}${last.tail}, ${describe(last.conclusion)}.`;
      const line = run.at(-1)!.line;
      out.push(line === undefined ? { text } : { text, line });
    }
    run = [];
  };
  for (const line of lines) {
    const prior = run.at(-1);
    if (prior && line.elimination && prior.line === undefined && sameShape(prior.elimination!, line.elimination)) {
      run.push(line);
      continue;
    }
    flush();
    if (line.elimination) run.push(line);
    else out.push(line);
  }
  flush();
  return out;
}

/** The lines with every run of chain-extending lines, and of like eliminations, told as one. */
export function foldChains(lines: readonly ExplanationLine[], describe: (inc: Incompatibility) => string): ExplanationLine[] {
  return foldEliminations(foldDeadEnds(foldRuns(lines, describe), describe), describe);
}

function foldRuns(lines: readonly ExplanationLine[], describe: (inc: Incompatibility) => string): ExplanationLine[] {
  const out: ExplanationLine[] = [];
  let run: ExplanationLine[] = [];
  for (const line of lines) {
    if (run.length > 0 && continues(run.at(-1)!, line)) {
      run.push(line);
      continue;
    }
    if (run.length > 0) out.push(fold(run, describe));
    run = [];
    if (line.chain) run.push(line);
    else out.push(line);
  }
  if (run.length > 0) out.push(fold(run, describe));
  return out;
}
