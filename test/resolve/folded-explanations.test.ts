/**
 * Long dependency chains are told in one sentence each (src/resolve/fold-chains.ts): QA's deep
 * cases fold to a few lines that still name the root requirement, both ends of each chain, how
 * many packages lie between and every package on the way; every folded sentence is true of the
 * metadata link by link; and the structured derivation behind the text keeps every step.
 */
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { isRegistryError } from '../../src/errors.js';
import { resolve } from '../../src/resolve/index.js';
import type { Derivation, UnsatisfiableDetails } from '../../src/resolve/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { eliminationProblems, factProblems, foldedProblems, sentenceProblems } from './explanation-checks.js';
import { factPackages, loadCase, prng, sourceOf, type ResolveCase } from './helpers.js';
import { randomChainUniverse, randomFanUniverse } from './random-universe.js';

const versioning = createSemverVersioning();

async function explained(c: Pick<ResolveCase, 'packages' | 'root'>): Promise<UnsatisfiableDetails> {
  const err = await expectCode(() => resolve(c.root, sourceOf(c.packages), versioning), 'E_UNSATISFIABLE');
  return err.details as unknown as UnsatisfiableDetails;
}

/** Everything the text must be true to and complete about. */
function expectTrueAndComplete(details: UnsatisfiableDetails, c: Pick<ResolveCase, 'packages' | 'root'>, label = ''): number {
  const { explanation, derivation } = details;
  expect(factProblems(derivation, c.packages, c.root), label).toEqual([]);
  expect(sentenceProblems(explanation, c.packages, c.root).problems, label).toEqual([]);
  const folded = foldedProblems(explanation, c.packages, c.root);
  expect(folded.problems, label).toEqual([]);
  const eliminated = eliminationProblems(explanation, c.packages, c.root);
  expect(eliminated.problems, label).toEqual([]);
  eliminationsChecked += eliminated.folded;
  for (const name of factPackages(derivation)) expect(explanation, `${name} missing\n${label}`).toMatch(new RegExp(`(^|[^a-z0-9])${name}([^a-z0-9]|$)`));
  expect(explanation.split('\n').at(-1), label).toMatch(/version solving failed\.$/);
  return folded.folded;
}

let eliminationsChecked = 0;

/** The dependency facts of a derivation as "from→to range". */
const dependencyFacts = (d: Derivation): string[] =>
  d.incompatibilities.flatMap((n) => (n.cause.type === 'dependency' ? [`${n.cause.package}→${n.cause.dependency} ${n.cause.range}`] : []));

describe('long chains fold into one sentence', () => {
  it('deep-unsat-300-linear: 151 lines become 2, naming both ends, the count and the root requirement', async () => {
    const c = loadCase('qa-deep-unsat-300-linear');
    const details = await explained(c);
    const lines = details.explanation.split('\n');
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toMatch(/^Because every version of e000 depends on x \^2\.0\.0 through 299 packages \(e000 → e001 → e002 → .* → e298 → e299 → x, each dependency \^1\.0\.0 except the last\), every version of e000 requires x \^2\.0\.0\.$/);
    expect(lines.at(-1)).toMatch(/^So, because root depends on both (e000 \^1\.0\.0 and x \^1\.0\.0|x \^1\.0\.0 and e000 \^1\.0\.0), version solving failed\.$/);
    expect(expectTrueAndComplete(details, c)).toBe(1);
    // Only the text folds: the derivation still holds every link of the chain.
    const facts = dependencyFacts(details.derivation);
    for (let i = 0; i < 299; i++) {
      const from = `e${String(i).padStart(3, '0')}`;
      const to = `e${String(i + 1).padStart(3, '0')}`;
      expect(facts).toContain(`${from}→${to} ^1.0.0`);
    }
    expect(facts).toContain('e299→x ^2.0.0');
    expect(details.derivation.incompatibilities.filter((n) => n.cause.type === 'conflict').length).toBeGreaterThanOrEqual(150);
  });

  it('deep-unsat-60: 31 lines become 2; every package of the chain is still named', async () => {
    const c = loadCase('qa-deep-unsat-60');
    const details = await explained(c);
    const lines = details.explanation.split('\n');
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toMatch(/^Because every version of a00 depends on x \^2\.0\.0 through 59 packages \(a00 → a01 → .* → a59 → x, each dependency \^1\.0\.0 except the last\), every version of a00 requires x \^2\.0\.0\.$/);
    expect(lines.at(-1)).toMatch(/root depends on both .*a00 \^1\.0\.0.* version solving failed\.$/);
    expect(expectTrueAndComplete(details, c)).toBe(1);
    if (!('mentions' in c.expect)) throw new Error('an error case');
    for (const name of c.expect.mentions) expect(details.explanation).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('deep-unsat-80-two-tracks: 83 lines become 3, one sentence per track', async () => {
    const c = loadCase('qa-deep-unsat-80-two-tracks');
    const details = await explained(c);
    const lines = details.explanation.split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    // The 1.x track ends at d79's x ^3.0.0, which no version matches.
    expect(lines[0]).toMatch(/^Because d00 <2\.0\.0 depends on x \^3\.0\.0 through 79 packages \(d00 → d01 → .* → d79 → x, each dependency \^1\.0\.0 except the last\) and no versions of x match \^3\.0\.0, d00 <2\.0\.0 is forbidden\.$/);
    // The 2.x track ends at x ^2.0.0, against the root's x ^1.0.0.
    expect(lines[1]).toMatch(/^And because d00 >=2\.0\.0 depends on x \^2\.0\.0 through 79 packages \(d00 → d01 → .* → d79 → x, each dependency \^2\.0\.0\), every version of d00 requires x \^2\.0\.0\.$/);
    expect(lines.at(-1)).toMatch(/^So, because root depends on both (d00 \* and x \^1\.0\.0|x \^1\.0\.0 and d00 \*), version solving failed\.$/);
    // "d00 <2.0.0 requires dNN" was written 40 times; now not once.
    expect(details.explanation).not.toMatch(/d00 <2\.0\.0 requires d(0[0-9]|[1-6][0-9]|7[0-8]) /);
    expect(expectTrueAndComplete(details, c)).toBe(2);
  });

  it('deep-unsat-branching: each branch of ten folds, the shared end stays as pub writes it', async () => {
    const c = loadCase('qa-deep-unsat-branching');
    const details = await explained(c);
    const lines = details.explanation.split('\n');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toMatch(/^Because foo <1\.1\.0 depends on y \^2\.0\.0 through 10 packages \(foo → l01 → .* → l10 → y, each dependency \^1\.0\.0 except the last\), foo <1\.1\.0 requires y \^2\.0\.0\.$/);
    expect(expectTrueAndComplete(details, c)).toBe(2);
  });

  it('a short chain of two steps keeps pub\'s "which depends on" form, extended by one link', async () => {
    const c = {
      packages: {
        a: { '1.0.0': { b: '^1.0.0' } },
        b: { '1.0.0': { c: '^1.0.0' } },
        c: { '1.0.0': { d: '^2.0.0' } },
        d: { '1.0.0': {}, '2.0.0': {} },
      },
      root: { a: '^1.0.0', d: '^1.0.0' },
    };
    const details = await explained(c);
    expect(details.explanation.split('\n')[0]).toBe(
      'Because every version of a depends on b ^1.0.0 which depends on c ^1.0.0 which depends on d ^2.0.0, every version of a requires d ^2.0.0.',
    );
    expect(expectTrueAndComplete(details, c)).toBe(0);
  });

  it('a chain with different ranges on the way writes each range on its link', async () => {
    const c = {
      packages: {
        a: { '1.0.0': { b: '^1.0.0' } },
        b: { '1.0.0': { c: '>=1.1.0' }, '1.5.0': { c: '>=1.1.0' } },
        c: { '1.1.0': { d: '~1.2.0' } },
        d: { '1.2.0': { e: '*' } },
        e: { '1.0.0': { f: '^2.0.0' } },
        f: { '1.0.0': {}, '2.0.0': {} },
      },
      root: { a: '*', f: '^1.0.0' },
    };
    const details = await explained(c);
    expect(details.explanation).toContain(
      'every version of a depends on f ^2.0.0 through 4 packages (a → b ^1.0.0 → c >=1.1.0 → d ~1.2.0 → e * → f ^2.0.0)',
    );
    expect(expectTrueAndComplete(details, c)).toBe(1);
  });

  it('a folded chain that ends in a package that does not exist says so in the same sentence', async () => {
    const packages: Record<string, Record<string, Record<string, string>>> = {};
    for (let i = 0; i < 6; i++) packages[`c${i}`] = { '1.0.0': { [i < 5 ? `c${i + 1}` : 'ghost']: '^1.0.0' } };
    const c = { packages, root: { c0: '^1.0.0' } };
    const details = await explained(c);
    expect(details.explanation.split('\n')).toEqual([
      'Because every version of c0 depends on ghost ^1.0.0 through 5 packages (c0 → c1 → c2 → c3 → c4 → c5 → ghost, each dependency ^1.0.0) and no package named ghost exists, c0 is forbidden.',
      'So, because root depends on c0 ^1.0.0, version solving failed.',
    ]);
    expect(expectTrueAndComplete(details, c)).toBe(1);
  });

  it('versions ruled out one by one for the same reason are told in one sentence with a count', async () => {
    // app 1.k.0 depends on libk, and every libk on x ^2.0.0, which does not exist.
    const packages: Record<string, Record<string, Record<string, string>>> = { app: {}, x: { '1.0.0': {} } };
    for (let v = 0; v < 8; v++) {
      packages.app![`1.${v}.0`] = { [`lib${v}`]: '^1.0.0' };
      packages[`lib${v}`] = { '1.0.0': { x: '^2.0.0' } };
    }
    const c = { packages, root: { app: '*' } };
    const details = await explained(c);
    const lines = details.explanation.split('\n');
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(details.explanation).toContain(
      'And because app 1.2.0 depends on lib2 ^1.0.0, app 1.3.0 on lib3 ^1.0.0, app 1.4.0 on lib4 ^1.0.0, app 1.5.0 on lib5 ^1.0.0, app 1.6.0 on lib6 ^1.0.0 and app >=1.7.0 on lib7 ^1.0.0 (6 dependencies), each of which depends on x ^2.0.0 which doesn\'t match any versions, app is forbidden.',
    );
    const before = eliminationsChecked;
    expectTrueAndComplete(details, c);
    expect(eliminationsChecked).toBe(before + 1);
    // The checker catches a false one: lib4 1.0.0 depending on x ^3.0.0 instead.
    const changed = { ...packages, lib4: { '1.0.0': { x: '^3.0.0' } } };
    expect(eliminationProblems(lines.join('\n'), changed, c.root).problems).toHaveLength(1);
    // … or a count that does not match the list.
    expect(eliminationProblems(lines.join('\n').replace('(6 dependencies)', '(5 dependencies)'), packages, c.root).problems).toHaveLength(1);
  });

  it('a link that covers only some of the versions the previous range allows breaks the fold', async () => {
    // b 1.0.0 and b 1.1.0 depend on c differently, so "b ^1.0.0 depends on c ^1.0.0" is not a fact.
    const c = {
      packages: {
        a: { '1.0.0': { b: '^1.0.0' } },
        b: { '1.0.0': { c: '^1.0.0' }, '1.1.0': { c: '^1.0.0', z: '^9.0.0' } },
        c: { '1.0.0': { d: '^1.0.0' } },
        d: { '1.0.0': { e: '^1.0.0' } },
        e: { '1.0.0': { x: '^2.0.0' } },
        x: { '1.0.0': {}, '2.0.0': {} },
      },
      root: { a: '*', x: '^1.0.0' },
    };
    const details = await explained(c);
    expectTrueAndComplete(details, c);
  });

  it('the checker catches a folded sentence that is false of the metadata', () => {
    const packages = {
      a: { '1.0.0': { b: '^1.0.0' } },
      b: { '1.0.0': { c: '^1.0.0' }, '1.1.0': { c: '^2.0.0' } },
      c: { '1.0.0': { d: '^2.0.0' }, '2.0.0': { d: '^2.0.0' } },
      d: { '2.0.0': {} },
    };
    const root = { a: '*' };
    const sentence = (path: string, between = 2): string =>
      `Because every version of a depends on d ^2.0.0 through ${between} packages (${path}), every version of a requires d ^2.0.0.`;
    // b 1.1.0 depends on c ^2.0.0, so "each dependency ^1.0.0 except the last" is false of it.
    expect(foldedProblems(sentence('a → b → c → d, each dependency ^1.0.0 except the last'), packages, root).problems).not.toEqual([]);
    expect(foldedProblems(sentence('a → b ^1.0.0 → c ^1.0.0 → d ^2.0.0'), packages, root).problems).not.toEqual([]);
    // A wrong count, or a path that does not end where the sentence says.
    expect(foldedProblems(sentence('a → b ^1.0.0 → c * → d ^2.0.0', 3), packages, root).problems).not.toEqual([]);
    expect(foldedProblems(sentence('a → b ^1.0.0 → c'), packages, root).problems).not.toEqual([]);
    // What holds: b's versions depend on c ^1.0.0 and c ^2.0.0, so only a range per link is true.
    const truePackages = { ...packages, b: { '1.0.0': { c: '^1.0.0' }, '1.1.0': { c: '^1.0.0' } } };
    expect(foldedProblems(sentence('a → b → c → d, each dependency ^1.0.0 except the last'), truePackages, root)).toEqual({ problems: [], folded: 1 });
    // A true path whose end is said to match nothing, when d 2.0.0 exists.
    const missingEnd =
      'Because every version of a depends on d ^2.0.0 through 2 packages (a → b ^1.0.0 → c ^1.0.0 → d ^2.0.0) and no versions of d match ^2.0.0, a is forbidden.';
    expect(foldedProblems(missingEnd, truePackages, root).problems).toHaveLength(1);
    expect(foldedProblems(missingEnd, { ...truePackages, d: { '1.0.0': {} } }, root).problems).toEqual([]);
  });

  it('300 random chains: every folded sentence is true link by link', async () => {
    const rand = prng(31337);
    let failures = 0;
    let folded = 0;
    for (let i = 0; i < 300; i++) {
      const { universe, root } = randomChainUniverse(rand);
      const c = { packages: universe, root };
      const label = JSON.stringify({ root: c.root, packages: c.packages });
      try {
        await resolve(c.root, sourceOf(c.packages), versioning);
      } catch (err) {
        if (!isRegistryError(err, 'E_UNSATISFIABLE')) throw err;
        const details = err.details as unknown as UnsatisfiableDetails;
        const count = expectTrueAndComplete(details, c, `${details.explanation}\n${label}`);
        if (count > 0) folded++;
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(100);
    // The check must have had folded chains to check (many failures here are one or two lines,
    // or chains broken by links that cover only part of a range, which do not fold).
    expect(folded).toBeGreaterThan(50);
  });

  it('200 random fans: every folded elimination is true of the metadata', async () => {
    const rand = prng(2718);
    let failures = 0;
    const before = eliminationsChecked;
    for (let i = 0; i < 200; i++) {
      const { universe, root } = randomFanUniverse(rand);
      const c = { packages: universe, root };
      try {
        await resolve(c.root, sourceOf(c.packages), versioning);
      } catch (err) {
        if (!isRegistryError(err, 'E_UNSATISFIABLE')) throw err;
        const details = err.details as unknown as UnsatisfiableDetails;
        expectTrueAndComplete(details, c, `${details.explanation}\n${JSON.stringify({ root, universe })}`);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(50);
    // The check must have had folded eliminations to check.
    expect(eliminationsChecked - before).toBeGreaterThan(10);
  });
});
