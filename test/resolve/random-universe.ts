/**
 * Random small universes for the property tests: three to five packages, up to four versions
 * each (some prereleases, sometimes none at all), dependencies with assorted range shapes,
 * self-dependencies and cycles included.
 */
import { pick, type Universe } from './helpers.js';

export function randomUniverse(rand: () => number): { universe: Universe; root: Record<string, string> } {
  const names = ['a', 'b', 'c', 'd', 'e'].slice(0, 3 + Math.floor(rand() * 3));
  const universe: Universe = {};
  const versionsOf = new Map<string, string[]>();
  for (const name of names) {
    // Sometimes a package has no versions at all (it is "not found").
    const count = rand() < 0.08 ? 0 : 1 + Math.floor(rand() * 4);
    const versions = [...new Set(Array.from({ length: count }, () => `${Math.floor(rand() * 3)}.${Math.floor(rand() * 3)}.0${rand() < 0.1 ? '-beta.1' : ''}`))];
    versionsOf.set(name, versions);
  }
  const rangeFor = (target: string): string => {
    const known = versionsOf.get(target)!;
    const v = known.length > 0 && rand() < 0.8 ? pick(rand, known) : `${Math.floor(rand() * 3)}.${Math.floor(rand() * 3)}.0`;
    return pick(rand, [`^${v}`, `~${v}`, `>=${v}`, `<${v}`, `=${v}`, '*', `>=${v},<3.0.0`, `${v} || <1.0.0`]);
  };
  for (const name of names) {
    universe[name] = {};
    for (const version of versionsOf.get(name)!) {
      const deps: Record<string, string> = {};
      for (const target of names) {
        // Self-dependencies and cycles are allowed and generated.
        if (rand() < 0.3) deps[target] = rangeFor(target);
      }
      universe[name]![version] = deps;
    }
  }
  const root: Record<string, string> = {};
  for (const name of names) if (rand() < 0.45) root[name] = rangeFor(name);
  if (Object.keys(root).length === 0) root[names[0]!] = rangeFor(names[0]!);
  return { universe, root };
}

/**
 * Random dependency chains p00 → p01 → … (4 to 24 long), the kind of universe whose explanation
 * folds: each package has one to three of 1.0.0, 1.1.0, 2.0.0, each version depends on the next
 * package with a range that may follow its own major (two tracks, as in QA's
 * deep-unsat-80-two-tracks), admit everything, or only part of the next package (which breaks the
 * chain a fold may follow); the last package depends on x (which the root may pin elsewhere) or
 * on a package that does not exist; now and then a version has a side dependency.
 */
export function randomChainUniverse(rand: () => number): { universe: Universe; root: Record<string, string> } {
  const length = 4 + Math.floor(rand() * 21);
  const names = Array.from({ length }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const universe: Universe = { x: { '1.0.0': {}, '2.0.0': {} } };
  for (let i = 0; i < length; i++) {
    const versions = ['1.0.0', '1.1.0', '2.0.0'].filter(() => rand() < 0.6);
    if (versions.length === 0) versions.push(rand() < 0.5 ? '1.0.0' : '2.0.0');
    universe[names[i]!] = {};
    for (const version of versions) {
      const deps: Record<string, string> = {};
      const major = version.split('.')[0]!;
      if (i + 1 < length) {
        deps[names[i + 1]!] = rand() < 0.9 ? pick(rand, [`^${major}.0.0`, `^${major}.0.0`, '*']) : pick(rand, ['>=1.1.0', '^1.0.0', '=1.0.0']);
      } else if (rand() < 0.85) {
        deps.x = pick(rand, [`^${major}.0.0`, '^2.0.0', '^3.0.0']);
      } else {
        deps.ghost = '^1.0.0';
      }
      if (rand() < 0.05) deps[pick(rand, names)] = pick(rand, ['^1.0.0', '^2.0.0', '*']);
      universe[names[i]!]![version] = deps;
    }
  }
  const root: Record<string, string> = { p00: pick(rand, ['*', '^1.0.0', '^2.0.0']) };
  if (rand() < 0.7) root.x = '^1.0.0';
  return { universe, root };
}

/**
 * A package whose versions each depend on a library of their own (sometimes a shared one), the
 * libraries on x or on a package that does not exist: the kind of universe where the versions of
 * one package are ruled out one after another, often for the same reason.
 */
export function randomFanUniverse(rand: () => number): { universe: Universe; root: Record<string, string> } {
  const count = 3 + Math.floor(rand() * 8);
  const universe: Universe = { app: {}, x: { '1.0.0': {}, '2.0.0-beta.1': {} } };
  for (let v = 0; v < count; v++) {
    const lib = rand() < 0.8 ? `lib${v}` : `lib${Math.floor(rand() * count)}`;
    universe.app![`1.${v}.0`] = { [lib]: pick(rand, ['^1.0.0', '^1.0.0', '*', '>=1.1.0']) };
  }
  for (let v = 0; v < count; v++) {
    universe[`lib${v}`] = {};
    for (const version of ['1.0.0', '1.1.0'].filter(() => rand() < 0.8)) {
      universe[`lib${v}`]![version] = rand() < 0.9 ? { x: rand() < 0.03 ? '^1.0.0' : pick(rand, ['^2.0.0', '^2.0.0', '^3.0.0']) } : { ghost: '^1.0.0' };
    }
  }
  return { universe, root: { app: pick(rand, ['*', '^1.0.0', '>=1.2.0']) } };
}
