/**
 * Every "X depends on Y R" the explanation states must be true of the versions of X it names.
 * Two checks: on the derivation's structured facts (each dependency incompatibility matches the
 * real metadata), and on the text itself (the sentences that merge or chain statements are where
 * a true derivation can still be told falsely, as "a >=1.1.0 depends on both c ^1.1.0 and c ^1.0.0"
 * once was, for an a 1.0.0 that depends on c ^1.0.0 and an a 1.1.0 on c ^1.1.0).
 */
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { isRegistryError } from '../../src/errors.js';
import { resolve } from '../../src/resolve/index.js';
import type { Derivation, UnsatisfiableDetails } from '../../src/resolve/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { loadCase, prng, semverSatisfies, sourceOf, type Universe } from './helpers.js';
import { randomUniverse } from './random-universe.js';

const versioning = createSemverVersioning();

/** Problems with the dependency facts of a derivation, checked against the universe. */
function factProblems(derivation: Derivation, universe: Universe, root: Record<string, string>): string[] {
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
function sentenceProblems(explanation: string, universe: Universe, root: Record<string, string>): string[] {
  const out: string[] = [];
  let checked = 0;
  for (const line of explanation.split('\n')) {
    const m = /^(?:Because|And because|So, because) (.+?) depends on (both )?(.+?), [^,]+\.(?: \(\d+\))?$/.exec(line);
    if (!m) continue;
    const subject = subjectVersions(m[1]!, universe);
    if (!subject) continue;
    let claims: string[];
    if (m[2]) {
      const parts = m[3]!.split(' and ');
      if (parts.length !== 2) continue;
      claims = parts.map(stripLine);
    } else {
      // The first statement only: what follows " which " or " and " is about something else.
      claims = [stripLine(m[3]!.split(/ which | and /)[0]!)];
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
  sentencesChecked += checked;
  return out;
}
let sentencesChecked = 0;

describe('explanations state only true dependencies', () => {
  it('diamond-unsat (QA case): versions of a with different dependencies on c are not merged into one subject', async () => {
    const c = loadCase('qa-diamond-unsat');
    const err = await expectCode(() => resolve(c.root, sourceOf(c.packages), versioning), 'E_UNSATISFIABLE');
    const details = err.details as unknown as UnsatisfiableDetails;
    expect(details.explanation).not.toMatch(/a >=1\.1\.0 depends on both/);
    expect(sentenceProblems(details.explanation, c.packages, c.root)).toEqual([]);
    expect(factProblems(details.derivation, c.packages, c.root)).toEqual([]);
    for (const name of ['a', 'b', 'c']) expect(details.explanation).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('600 random unsatisfiable-or-not universes: every dependency fact and "depends on" sentence is true', async () => {
    const rand = prng(9090);
    let failures = 0;
    sentencesChecked = 0;
    for (let i = 0; i < 600; i++) {
      const { universe, root } = randomUniverse(rand);
      try {
        await resolve(root, sourceOf(universe), versioning);
      } catch (err) {
        if (!isRegistryError(err, 'E_UNSATISFIABLE')) throw err;
        const details = err.details as unknown as UnsatisfiableDetails;
        const label = `${details.explanation}\n${JSON.stringify({ root, universe })}`;
        expect(factProblems(details.derivation, universe, root), label).toEqual([]);
        expect(sentenceProblems(details.explanation, universe, root), label).toEqual([]);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(100);
    // The sentence check must have had something to check.
    expect(sentencesChecked).toBeGreaterThan(100);
  });
});
