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
import type { UnsatisfiableDetails } from '../../src/resolve/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { eliminationProblems, factProblems, foldedProblems, sentenceProblems } from './explanation-checks.js';
import { loadCase, prng, sourceOf } from './helpers.js';
import { randomUniverse } from './random-universe.js';

const versioning = createSemverVersioning();

describe('explanations state only true dependencies', () => {
  it('diamond-unsat (QA case): versions of a with different dependencies on c are not merged into one subject', async () => {
    const c = loadCase('qa-diamond-unsat');
    const err = await expectCode(() => resolve(c.root, sourceOf(c.packages), versioning), 'E_UNSATISFIABLE');
    const details = err.details as unknown as UnsatisfiableDetails;
    expect(details.explanation).not.toMatch(/a >=1\.1\.0 depends on both/);
    // Each version range of a is stated with its own dependency on c.
    expect(details.explanation.split('\n')[0]).toBe(
      'Because a >=1.1.0 depends on c ^1.1.0 and a <1.1.0 depends on c ^1.0.0, every version of a requires c ^1.0.0.',
    );
    expect(sentenceProblems(details.explanation, c.packages, c.root).problems).toEqual([]);
    expect(factProblems(details.derivation, c.packages, c.root)).toEqual([]);
    for (const name of ['a', 'b', 'c']) expect(details.explanation).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('600 random unsatisfiable-or-not universes: every dependency fact and "depends on" sentence is true', async () => {
    const rand = prng(9090);
    let failures = 0;
    let sentencesChecked = 0;
    for (let i = 0; i < 600; i++) {
      const { universe, root } = randomUniverse(rand);
      try {
        await resolve(root, sourceOf(universe), versioning);
      } catch (err) {
        if (!isRegistryError(err, 'E_UNSATISFIABLE')) throw err;
        const details = err.details as unknown as UnsatisfiableDetails;
        const label = `${details.explanation}\n${JSON.stringify({ root, universe })}`;
        expect(factProblems(details.derivation, universe, root), label).toEqual([]);
        const sentences = sentenceProblems(details.explanation, universe, root);
        expect(sentences.problems, label).toEqual([]);
        expect(foldedProblems(details.explanation, universe, root).problems, label).toEqual([]);
        expect(eliminationProblems(details.explanation, universe, root).problems, label).toEqual([]);
        sentencesChecked += sentences.checked;
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(100);
    // The sentence check must have had something to check.
    expect(sentencesChecked).toBeGreaterThan(100);
  });
});
