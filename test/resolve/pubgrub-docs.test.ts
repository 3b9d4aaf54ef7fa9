/**
 * The six examples of PubGrub's documentation (dart-lang/pub doc/solver.md, "Examples"), run
 * through the resolver: the four that resolve give the documented solution, and the two that
 * fail give the documented explanation.
 */
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { resolve } from '../../src/resolve/index.js';
import type { UnsatisfiableDetails } from '../../src/resolve/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { loadCase, sourceOf } from './helpers.js';

const versioning = createSemverVersioning();

async function failure(name: string): Promise<UnsatisfiableDetails> {
  const c = loadCase(name);
  const err = await expectCode(() => resolve(c.root, sourceOf(c.packages), versioning), 'E_UNSATISFIABLE');
  const details = err.details as unknown as UnsatisfiableDetails;
  expect(err.message).toBe(details.explanation);
  return details;
}

describe('PubGrub documentation examples', () => {
  for (const name of [
    'pubgrub-doc-no-conflicts',
    'pubgrub-doc-avoiding-conflict-during-decision-making',
    'pubgrub-doc-performing-conflict-resolution',
    'pubgrub-doc-conflict-resolution-with-partial-satisfier',
  ]) {
    it(`${name}: the documented solution`, async () => {
      const c = loadCase(name);
      if (!('solution' in c.expect)) throw new Error('case without a solution');
      expect((await resolve(c.root, sourceOf(c.packages), versioning)).solution).toEqual(c.expect.solution);
    });
  }

  it('linear error reporting: two lines, the chain foo → bar → baz collapsed into one sentence', async () => {
    const { explanation, kind } = await failure('pubgrub-doc-linear-error-reporting');
    const lines = explanation.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'Because every version of foo depends on bar ^2.0.0 which depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.',
    );
    // pub writes "both baz ^1.0.0 and foo ^1.0.0"; the order of the two requirements is immaterial.
    expect(lines[1]).toMatch(/^So, because root depends on both (foo \^1\.0\.0 and baz \^1\.0\.0|baz \^1\.0\.0 and foo \^1\.0\.0), version solving failed\.$/);
    expect(kind).toBe('conflict');
  });

  it('branching error reporting: pub\'s explanation line for line, with the shared step numbered', async () => {
    const c = loadCase('pubgrub-doc-branching-error-reporting');
    const { explanation, kind, derivation } = await failure(c.name);
    const lines = explanation.split('\n');
    // The two branches are separated by a blank line, as pub prints them.
    expect(lines[2]).toBe('');
    expect(lines.filter((l) => l !== '')).toEqual(c.reference_explanation);
    expect(kind).toBe('conflict');
    expect(derivation.incompatibilities[derivation.failure]).toMatchObject({ text: 'version solving failed', cause: { type: 'conflict' } });
    // Six dependencies and the root requirement are the facts the proof rests on.
    expect(derivation.incompatibilities.filter((n) => n.cause.type === 'dependency')).toHaveLength(7);
  });
});
