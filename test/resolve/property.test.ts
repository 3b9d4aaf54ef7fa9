/**
 * Random small universes (seeded): whatever the resolver answers is checked independently. A
 * solution must satisfy every range and select nothing unrequired; a failure must be confirmed by
 * exhaustive search, and its explanation must name every package its derivation rests on.
 */
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { isRegistryError } from '../../src/errors.js';
import { resolve } from '../../src/resolve/index.js';
import type { Derivation, UnsatisfiableDetails } from '../../src/resolve/types.js';
import { existsSolution, factPackages, prng, solutionProblem, sourceOf } from './helpers.js';
import { randomUniverse } from './random-universe.js';

const versioning = createSemverVersioning();

/** Every step refers to incompatibilities in the list, each reachable from the failure. */
function checkDerivationShape(derivation: Derivation): void {
  const byId = new Map(derivation.incompatibilities.map((n) => [n.id, n]));
  const reached = new Set<number>();
  const pending = [derivation.failure];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    const n = byId.get(id);
    expect(n).toBeDefined();
    if (n!.cause.type === 'conflict') pending.push(n!.cause.conflict, n!.cause.other);
  }
  expect(reached.size).toBe(derivation.incompatibilities.length);
  expect(byId.get(derivation.failure)!.text).toBe('version solving failed');
}

describe('random small universes', () => {
  it('600 universes: solutions are valid and closed, failures are real and explained', async () => {
    const rand = prng(424242);
    let solved = 0;
    let failed = 0;
    for (let i = 0; i < 600; i++) {
      const { universe, root } = randomUniverse(rand);
      const label = JSON.stringify({ root, universe });
      try {
        const { solution } = await resolve(root, sourceOf(universe), versioning);
        expect(solutionProblem(universe, root, solution), label).toBeNull();
        solved++;
      } catch (err) {
        if (!isRegistryError(err, 'E_UNSATISFIABLE')) throw err;
        expect(existsSolution(universe, root), `the resolver failed but a solution exists: ${label}`).toBe(false);
        const details = err.details as unknown as UnsatisfiableDetails;
        checkDerivationShape(details.derivation);
        for (const name of factPackages(details.derivation)) {
          expect(details.explanation, `${name} missing from:\n${details.explanation}\n${label}`).toMatch(new RegExp(`(^|[^a-z])${name}([^a-z]|$)`));
        }
        expect(details.explanation.split('\n').at(-1)).toMatch(/version solving failed\.$/);
        failed++;
      }
    }
    // Both outcomes must be well represented for the property to mean anything.
    expect(solved).toBeGreaterThan(100);
    expect(failed).toBeGreaterThan(100);
  });
});
