/**
 * Checks that an explanation tells only the truth, against the metadata it was computed from:
 * the derivation's dependency facts, the "Because X depends on [both] Y R …" sentences (with every
 * "which depends on" link of a chain), and the folded chains "X depends on Z R through N packages
 * (path)", link by link. Shared by explanation-truth.test.ts and folded-explanations.test.ts.
 */
import { expect } from 'vitest';
import type { Derivation } from '../../src/resolve/types.js';
import { semverSatisfies, type Universe } from './helpers.js';


/** Problems with the dependency facts of a derivation, checked against the universe. */
export function factProblems(derivation: Derivation, universe: Universe, root: Record<string, string>): string[] {
  const out: string[] = [];
  for (const node of derivation.incompatibilities) {
    if (node.cause.type !== 'dependency') continue;
    const { package: from, dependency, range } = node.cause;
    const depender = node.terms.find((t) => t.package === from && t.positive);
    if (from === 'root') {
      if (root[dependency] !== range) out.push(`root does not depend on ${dependency} ${range}`);
    } else {
      // A self-dependency has one term, the versions outside their own range; those still depend on it.
      const versions = depender?.versions ?? node.terms[0]!.versions;
      for (const v of versions) {
        const actual = universe[from]?.[v]?.[dependency];
        if (actual !== range) out.push(`${from} ${v} depends on ${dependency} ${actual ?? '(nothing)'}, not ${range}`);
      }
    }
    const target = node.terms.find((t) => t.package === dependency && !t.positive);
    if (target && dependency !== from) {
      const matching = Object.keys(universe[dependency] ?? {}).filter((v) => semverSatisfies(v, range));
      expect(new Set(target.versions), `${dependency} ${range}`).toEqual(new Set(matching));
    }
  }
  return out;
}

/** The versions a subject of a sentence names: "every version of a", "a >=1.1.0", "root". */
function subjectVersions(subject: string, universe: Universe): { name: string; versions: string[] } | null {
  const every = /^every version of (\S+)$/.exec(subject);
  if (every) return { name: every[1]!, versions: Object.keys(universe[every[1]!] ?? {}) };
  if (subject === 'root') return { name: 'root', versions: [''] };
  const m = /^(\S+) (.+)$/.exec(subject);
  if (!m || /\b(and|or|if|then|which|no version)\b/.test(subject)) return null;
  return { name: m[1]!, versions: Object.keys(universe[m[1]!] ?? {}).filter((v) => semverSatisfies(v, m[2]!)) };
}

const stripLine = (s: string): string => s.replace(/ \(\d+\)$/, '').trim();

/**
 * Problems with the sentences "Because X depends on Y R, …" and "Because X depends on both Y R
 * and Z S, …": each dependency stated must be the real one of every version of X named.
 */
export function sentenceProblems(explanation: string, universe: Universe, root: Record<string, string>): { problems: string[]; checked: number } {
  const out: string[] = [];
  let checked = 0;
  for (const line of explanation.split('\n')) {
    const m = /^(?:Because|And because|So, because) (.+?) depends on (both )?(.+?), [^,]+\.(?: \(\d+\))?$/.exec(line);
    // Folded chains are checked link by link by foldedProblems.
    if (!m || FOLDED.test(line) || ELIMINATED.test(line)) continue;
    const subject = subjectVersions(m[1]!, universe);
    if (!subject) continue;
    let claims: string[];
    if (m[2]) {
      const parts = m[3]!.split(' and ');
      if (parts.length !== 2) continue;
      claims = parts.map(stripLine);
    } else {
      // The first statement, then each "which depends on" link of a chain: the versions of the
      // previous target that its range allows must all depend on the next target with that range.
      const parts = m[3]!.split(' which depends on ');
      claims = [stripLine(parts[0]!.split(/ which | and /)[0]!)];
      // Every part but the last is exactly "name range"; the last may go on (" and …", " which doesn't …").
      for (let i = 1; i < parts.length && !/ which | and |\(/.test(parts[i - 1]!); i++) {
        const p = /^(\S+) (.+)$/.exec(parts[i - 1]!.trim());
        const c = /^(\S+) (.+)$/.exec(stripLine(parts[i]!.split(/ which | and /)[0]!));
        if (!p || !c) break;
        out.push(...hopProblems(line, universe, root, p[1]!, versionsIn(universe, p[1]!, p[2]!), c[1]!, c[2]!));
        checked++;
      }
    }
    for (const claim of claims) {
      const c = /^(\S+) (.+)$/.exec(claim);
      if (!c) continue;
      const [, target, range] = c;
      checked++;
      for (const v of subject.versions) {
        const actual = subject.name === 'root' ? root[target!] : universe[subject.name]?.[v]?.[target!];
        if (actual !== range) out.push(`"${line}": ${subject.name} ${v} depends on ${target} ${actual ?? '(nothing)'}`);
      }
    }
  }
  return { problems: out, checked };
}

function versionsIn(universe: Universe, name: string, range: string): string[] {
  return Object.keys(universe[name] ?? {}).filter((v) => semverSatisfies(v, range));
}

/** Each of `versions` of `from` must depend on `to` with exactly `range`. */
function hopProblems(line: string, universe: Universe, root: Record<string, string>, from: string, versions: string[], to: string, range: string): string[] {
  const out: string[] = [];
  for (const v of from === 'root' ? [''] : versions) {
    const actual = from === 'root' ? root[to] : universe[from]?.[v]?.[to];
    if (actual !== range) out.push(`"${line.slice(0, 200)}…": ${from} ${v} depends on ${to} ${actual ?? '(nothing)'}, not ${range}`);
  }
  return out;
}

const FOLDED = /^(?:Because|And because|So, because) (.+?) depends on (\S+) (.+?) through (\d+) packages? \((.+?)\)(?: and (.+?))?, [^,]+\.(?: \(\d+\))?$/;

/**
 * Problems with folded chains, "Because S depends on Z R through N packages (s → a → … → z, each
 * dependency Q [except the last])" or "(s → a Q1 → b Q2 → … → z R)": the path must run from S to
 * Z with N packages between, and at every link every version the link before allows (S's own
 * versions at the start) must depend on the next package with that link's range.
 */
export function foldedProblems(explanation: string, universe: Universe, root: Record<string, string>): { problems: string[]; folded: number } {
  const problems: string[] = [];
  let folded = 0;
  for (const line of explanation.split('\n')) {
    const m = FOLDED.exec(line);
    if (!m) continue;
    folded++;
    const [, subjectText, endName, endRange, between, pathText, endMissing] = m;
    // A chain that ends in a requirement nothing satisfies says so: check that nothing does.
    if (endMissing !== undefined) {
      const none = /^no versions of (\S+) match (.+?)(?: \(only the prereleases? .*\))?$/.exec(endMissing);
      const absent = /^no package named (\S+) exists$/.exec(endMissing);
      if (none) {
        if (none[1] !== endName || none[2] !== endRange) problems.push(`"${line}": the missing range is not the chain's end`);
        if (versionsIn(universe, endName!, endRange!).length > 0) problems.push(`"${line}": ${endName} has versions in ${endRange}`);
      } else if (absent) {
        if (absent[1] !== endName || universe[endName!] !== undefined) problems.push(`"${line}": ${endName} exists`);
      } else if (/^(.+) is not a valid range for (\S+)$/.exec(endMissing)?.slice(1).join(' ') !== `${endRange} ${endName}`) {
        problems.push(`"${line}": unreadable end "${endMissing}"`);
      }
    }
    const subject = subjectVersions(subjectText!, universe);
    if (!subject) {
      problems.push(`unreadable subject in "${line}"`);
      continue;
    }
    let hops: Array<{ name: string; range: string }>;
    const uniform = /^(.+), each dependency (.+?)( except the last)?$/.exec(pathText!);
    const names = (uniform ? uniform[1]! : pathText!).split(' → ');
    if (uniform) {
      hops = names.slice(1).map((name, i) => ({ name, range: uniform[3] && i === names.length - 2 ? endRange! : uniform[2]! }));
    } else {
      hops = names.slice(1).map((hop) => {
        const h = /^(\S+) (.+)$/.exec(hop);
        return { name: h?.[1] ?? hop, range: h?.[2] ?? '' };
      });
      names.splice(1, names.length - 1, ...hops.map((h) => h.name));
    }
    const last = hops.at(-1);
    if (names[0] !== subject.name) problems.push(`"${line}": the path starts at ${names[0]}, not ${subject.name}`);
    if (!last || last.name !== endName || last.range !== endRange) problems.push(`"${line}": the path does not end at ${endName} ${endRange}`);
    if (Number(between) !== hops.length - 1) problems.push(`"${line}": ${hops.length - 1} packages lie between, not ${between}`);
    if (uniform?.[3] && hops.length > 1 && uniform[2] === endRange) problems.push(`"${line}": "except the last" but the last is the same`);
    let from = subject.name;
    let versions = subject.versions;
    for (const hop of hops) {
      problems.push(...hopProblems(line, universe, root, from, versions, hop.name, hop.range));
      from = hop.name;
      versions = versionsIn(universe, hop.name, hop.range);
    }
  }
  return { problems, folded };
}

const ELIMINATED =
  /^(?:Because|And because|So, because) (.+) \((\d+) dependencies\), each of which depends on (\S+) (.+?) which (doesn't match any versions(?: \(only .*\))?|doesn't exist \(no package named \S+\)|is not a valid range), [^,]+\.(?: \(\d+\))?$/;

/**
 * Problems with folded eliminations, "Because p V1 depends on q1 R1, p V2 on q2 R2 … and p Vn on
 * qn Rn (n dependencies), each of which depends on x S which doesn't match any versions, …": each
 * version in each Vi must depend on qi Ri, each version of qi in Ri on x S, and nothing may satisfy x S.
 */
export function eliminationProblems(explanation: string, universe: Universe, root: Record<string, string>): { problems: string[]; folded: number } {
  const problems: string[] = [];
  let folded = 0;
  for (const line of explanation.split('\n')) {
    const m = ELIMINATED.exec(line);
    if (!m) continue;
    folded++;
    const [, listText, count, endName, endRange, why] = m;
    const items = listText!.split(', ');
    items.push(...items.pop()!.split(' and '));
    if (items.length !== Number(count)) problems.push(`"${line}": ${items.length} dependencies listed, not ${count}`);
    for (const [i, item] of items.entries()) {
      const d = (i === 0 ? /^(.+) depends on (\S+) (\S.*)$/ : /^(.+) on (\S+) (\S.*)$/).exec(item);
      const subject = d ? subjectVersions(d[1]!, universe) : null;
      if (!d || !subject) {
        problems.push(`"${line}": unreadable "${item}"`);
        continue;
      }
      problems.push(...hopProblems(line, universe, root, subject.name, subject.versions, d[2]!, d[3]!));
      problems.push(...hopProblems(line, universe, root, d[2]!, versionsIn(universe, d[2]!, d[3]!), endName!, endRange!));
    }
    if (why!.startsWith("doesn't match") && versionsIn(universe, endName!, endRange!).length > 0) problems.push(`"${line}": ${endName} has versions in ${endRange}`);
    if (why!.startsWith("doesn't exist") && universe[endName!] !== undefined) problems.push(`"${line}": ${endName} exists`);
  }
  return { problems, folded };
}
