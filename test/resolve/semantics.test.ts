/**
 * The resolver's rules one at a time (SPEC §3, ../shared/data/resolve/README.md): one version per
 * name, higher versions preferred, cycles and self-dependencies, the prerelease rule, and the
 * kind of each failure.
 */
import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { dependencyTree, resolve } from '../../src/resolve/index.js';
import type { UnsatisfiableDetails } from '../../src/resolve/types.js';
import { expectCode } from '../helpers/expect-code.js';
import { sourceOf, type Universe } from './helpers.js';

const versioning = createSemverVersioning();

const solve = async (universe: Universe, root: Record<string, string>) => (await resolve(root, sourceOf(universe), versioning)).solution;

async function fail(universe: Universe, root: Record<string, string>): Promise<UnsatisfiableDetails> {
  const err = await expectCode(() => resolve(root, sourceOf(universe), versioning), 'E_UNSATISFIABLE');
  return err.details as unknown as UnsatisfiableDetails;
}

describe('what a solution is', () => {
  it('prefers the highest version each range allows', async () => {
    expect(await solve({ a: { '1.0.0': {}, '1.9.0': {}, '2.0.0': {} } }, { a: '^1.0.0' })).toEqual({ a: '1.9.0' });
  });

  it('picks one version per name that satisfies every range at once', async () => {
    const u: Universe = {
      a: { '1.0.0': { c: '^1.0.0' } },
      b: { '1.0.0': { c: '>=1.2.0' } },
      c: { '1.0.0': {}, '1.2.0': {}, '1.5.0': {}, '2.0.0': {} },
    };
    expect(await solve(u, { a: '*', b: '*' })).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.5.0' });
  });

  it('gives up a higher version of one package when it is the only way to satisfy another', async () => {
    const u: Universe = { a: { '1.0.0': {}, '2.0.0': { b: '^2.0.0' } }, b: { '1.0.0': {} } };
    expect(await solve(u, { a: '*', b: '*' })).toEqual({ a: '1.0.0', b: '1.0.0' });
  });

  it('an empty root resolves to an empty solution', async () => {
    expect(await solve({ a: { '1.0.0': {} } }, {})).toEqual({});
  });

  it('allows cycles', async () => {
    const u: Universe = { a: { '1.0.0': { b: '^1.0.0' } }, b: { '1.0.0': { a: '^1.0.0' } } };
    expect(await solve(u, { a: '*' })).toEqual({ a: '1.0.0', b: '1.0.0' });
  });

  it('allows a self-dependency the version itself satisfies, and rules out one it does not', async () => {
    const u: Universe = { a: { '1.0.0': { a: '^1.0.0' }, '2.0.0': { a: '^1.0.0' } } };
    expect(await solve(u, { a: '*' })).toEqual({ a: '1.0.0' });
    const details = await fail({ a: { '2.0.0': { a: '^1.0.0' } } }, { a: '*' });
    expect(details.explanation).toContain('a');
  });

  it('reads comma ranges and == in dependencies', async () => {
    const u: Universe = { a: { '1.0.0': { b: '>=1.1.0,<2.0.0' } }, b: { '1.0.0': {}, '1.4.0': {}, '2.0.0': {} }, c: { '1.0.0': {}, '1.1.0': {} } };
    expect(await solve(u, { a: '*', c: '==1.0.0' })).toEqual({ a: '1.0.0', b: '1.4.0', c: '1.0.0' });
  });

  it('follows the prerelease rule: only a range naming a prerelease of the same version admits it', async () => {
    const u: Universe = { a: { '1.0.0': {}, '1.1.0-beta.1': {}, '2.0.0-rc.1': {} } };
    expect(await solve(u, { a: '^1.0.0' })).toEqual({ a: '1.0.0' });
    expect(await solve(u, { a: '*' })).toEqual({ a: '1.0.0' });
    expect(await solve(u, { a: '>=1.1.0-beta.1' })).toEqual({ a: '1.1.0-beta.1' });
    expect(await solve(u, { a: '^2.0.0-rc.1' })).toEqual({ a: '2.0.0-rc.1' });
  });

  it('asks the source for each package once, and never for packages nothing reaches', async () => {
    const u: Universe = {
      a: { '1.0.0': { c: '^1.0.0' }, '2.0.0': { c: '^2.0.0' } },
      b: { '1.0.0': { c: '^1.0.0' } },
      c: { '1.0.0': {}, '2.0.0': {} },
      unrelated: { '1.0.0': {} },
    };
    const source = sourceOf(u);
    expect((await resolve({ a: '*', b: '*' }, source, versioning)).solution).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.0.0' });
    expect(Object.fromEntries(source.fetches)).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('ignores versions the versioning provider cannot read, and dependency names like "constructor"', async () => {
    const u: Universe = { a: { 'not-a-version': {}, '1.0.0': { constructor: '^1.0.0' } }, constructor: { '1.0.0': {} } };
    expect(await solve(u, { a: '*' })).toEqual({ a: '1.0.0', constructor: '1.0.0' });
  });

  it('refuses an invalid root range with E_PKG_RANGE_INVALID, before asking the source anything', async () => {
    const source = sourceOf({});
    await expectCode(() => resolve({ a: '^^1' }, source, versioning), 'E_PKG_RANGE_INVALID');
    expect(source.fetches.size).toBe(0);
  });
});

describe('what kind of failure it is', () => {
  it('package-not-found', async () => {
    const d = await fail({ a: { '1.0.0': { ghost: '^1.0.0' } } }, { a: '*' });
    expect(d.kind).toBe('package-not-found');
    expect(d.explanation).toBe(
      "Because every version of a depends on ghost ^1.0.0 which doesn't exist (no package named ghost), a is forbidden.\n" +
        'So, because root depends on a *, version solving failed.',
    );
    expect((await fail({}, { ghost: '*' })).kind).toBe('package-not-found');
  });

  it('no-version-in-range', async () => {
    const d = await fail({ a: { '1.0.0': {}, '2.0.0': {} } }, { a: '^3.0.0' });
    expect(d.kind).toBe('no-version-in-range');
    expect(d.explanation).toBe("Because root depends on a ^3.0.0 which doesn't match any versions, version solving failed.");
    // What does exist is listed beside the proof, highest first.
    expect(d.published).toEqual({ a: { versions: ['2.0.0', '1.0.0'], count: 2 } });
  });

  it('the message lists the published versions of a package no version of which matched (at most 20, with the total)', async () => {
    const versions = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`1.${i}.0`, {}]));
    const err = await expectCode(() => resolve({ b: '*' }, sourceOf({ a: versions, b: { '1.0.0': { a: '^2.0.0' } } }), versioning), 'E_UNSATISFIABLE');
    const lines = err.message.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      "Because every version of b depends on a ^2.0.0 which doesn't match any versions, b is forbidden.",
      'So, because root depends on b *, version solving failed.',
    ]);
    expect(lines.at(-1)).toBe(`Published versions of a: ${Array.from({ length: 20 }, (_, i) => `1.${24 - i}.0`).join(', ')}, … (25 in all).`);
    expect((err.details as unknown as UnsatisfiableDetails).published).toEqual({ a: { versions: Array.from({ length: 20 }, (_, i) => `1.${24 - i}.0`), count: 25 } });
    // A conflict between existing versions names no "published" list.
    const clash = await fail({ a: { '1.0.0': { c: '^1.0.0' } }, b: { '1.0.0': { c: '^2.0.0' } }, c: { '1.0.0': {}, '2.0.0': {} } }, { a: '*', b: '*' });
    expect(clash.kind).toBe('conflict');
    expect(clash.published).toBeUndefined();
  });

  it('only-prereleases-in-range, naming the prereleases', async () => {
    const d = await fail({ a: { '0.9.0': {}, '1.0.0-beta.1': {}, '1.0.0-beta.2': {} } }, { a: '^1.0.0' });
    expect(d.kind).toBe('only-prereleases-in-range');
    expect(d.explanation).toContain('1.0.0-beta.1, 1.0.0-beta.2');
  });

  it('conflict, with the derivation as JSON down to the facts', async () => {
    const u: Universe = { a: { '1.0.0': { c: '^1.0.0' } }, b: { '1.0.0': { c: '^2.0.0' } }, c: { '1.0.0': {}, '2.0.0': {} } };
    const d = await fail(u, { a: '*', b: '*' });
    expect(d.kind).toBe('conflict');
    for (const name of ['a', 'b', 'c']) expect(d.explanation).toMatch(new RegExp(`\\b${name}\\b`));
    const facts = d.derivation.incompatibilities.filter((n) => n.cause.type !== 'conflict').map((n) => n.text);
    expect(facts.sort()).toEqual(['every version of a depends on c ^1.0.0', 'every version of b depends on c ^2.0.0', 'root depends on a *', 'root depends on b *'].sort());
  });

  it('says when a dependency range cannot be read, rather than that nothing matches it', async () => {
    const d = await fail({ a: { '1.0.0': { b: '^^1' } }, b: { '1.0.0': {} } }, { a: '*' });
    expect(d.explanation).toContain('every version of a depends on b ^^1 which is not a valid range, a is forbidden.');
    expect(d.kind).toBe('no-version-in-range');
  });

  it('collapses long version lists into ranges', async () => {
    const versions: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 30; i++) versions[`1.${i}.0`] = { b: '^2.0.0' };
    for (let i = 0; i < 5; i++) versions[`0.${i}.0`] = {};
    const d = await fail({ a: versions, b: { '1.0.0': {} }, c: { '1.0.0': { a: '^1.0.0' } } }, { c: '*' });
    expect(d.explanation).toContain('a >=1.0.0 depends on b ^2.0.0');
    expect(d.explanation.length).toBeLessThan(400);
  });
});

describe('dependencyTree', () => {
  it('nests each dependency at its resolved version, sorted by name, marking repeats and cycles', async () => {
    const u: Universe = {
      app: { '1.0.0': { b: '^1.0.0', a: '^1.0.0' } },
      a: { '1.0.0': { c: '*' } },
      b: { '1.0.0': { c: '*' } },
      c: { '1.0.0': { app: '*' } },
    };
    expect(await dependencyTree('app', '^1.0.0', sourceOf(u), versioning)).toEqual({
      name: 'app',
      version: '1.0.0',
      dependencies: [
        { name: 'a', version: '1.0.0', dependencies: [{ name: 'c', version: '1.0.0', dependencies: [{ name: 'app', version: '1.0.0', dependencies: [], repeated: true }] }] },
        { name: 'b', version: '1.0.0', dependencies: [{ name: 'c', version: '1.0.0', dependencies: [], repeated: true }] },
      ],
    });
  });
});
