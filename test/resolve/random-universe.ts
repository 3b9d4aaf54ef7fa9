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
