/**
 * Shared by the resolver tests: an in-memory ResolveSource over a case-style package table, a
 * seeded PRNG, a solution checker, and an exhaustive solver that decides satisfiability by trying
 * every assignment (for small universes only).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { Derivation, ResolveSource } from '../../src/resolve/types.js';
export { prng } from '../helpers/prng.js';

/** name → version → dependency map, as in ../shared/data/resolve/*.json */
export type Universe = Record<string, Record<string, Record<string, string>>>;

export interface CountingSource extends ResolveSource {
  /** How many times each package was asked for. */
  fetches: Map<string, number>;
}

export function sourceOf(universe: Universe): CountingSource {
  const fetches = new Map<string, number>();
  return {
    fetches,
    async versions(name) {
      fetches.set(name, (fetches.get(name) ?? 0) + 1);
      const versions = Object.hasOwn(universe, name) ? universe[name]! : {};
      return Object.entries(versions).map(([version, dependencies]) => ({ version, dependencies }));
    },
  };
}

/** Copies of the six PubGrub documentation cases of ../shared/data/resolve, so the tests need nothing outside the repository. */
export const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');

export interface ResolveCase {
  name: string;
  packages: Universe;
  root: Record<string, string>;
  expect: { solution: Record<string, string> } | { satisfiable: true } | { error: true; mentions: string[] };
  reference_explanation?: string[];
}

export function loadCase(name: string): ResolveCase {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as ResolveCase;
}


export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** node-semver's reading of a range in either form: comma parts joined by spaces, `==` as `=`. */
export function semverSatisfies(version: string, range: string): boolean {
  const joined = range
    .split('||')
    .map((alt) => alt.split(',').map((p) => p.trim().replace(/^==/, '=')).join(' '))
    .join(' || ');
  return semver.satisfies(version, joined, { loose: false, includePrerelease: false });
}

/** Null when `solution` satisfies every root and dependency range and selects nothing unrequired. */
export function solutionProblem(universe: Universe, root: Record<string, string>, solution: Record<string, string>): string | null {
  const required = new Set<string>();
  const check = (from: string, deps: Record<string, string>): string | null => {
    for (const [dep, range] of Object.entries(deps)) {
      required.add(dep);
      const chosen = solution[dep];
      if (chosen === undefined) return `${from} needs ${dep} ${range}; not selected`;
      if (!semverSatisfies(chosen, range)) return `${from} needs ${dep} ${range}; got ${chosen}`;
    }
    return null;
  };
  const atRoot = check('root', root);
  if (atRoot) return atRoot;
  for (const [name, version] of Object.entries(solution)) {
    const deps = universe[name]?.[version];
    if (deps === undefined) return `${name} ${version} does not exist`;
    const problem = check(`${name}@${version}`, deps);
    if (problem) return problem;
  }
  for (const name of Object.keys(solution)) if (!required.has(name)) return `${name} selected but not required`;
  return null;
}

/**
 * Whether any solution exists, by depth-first search over the packages reachable from the root:
 * each is either absent or at one of its versions; a complete assignment is accepted when every
 * selected version's ranges and the root's are satisfied (closure follows, since an unrequired
 * selection could be dropped).
 */
export function existsSolution(universe: Universe, root: Record<string, string>): boolean {
  const names = new Set<string>(Object.keys(root));
  const queue = [...names];
  while (queue.length > 0) {
    const n = queue.pop()!;
    for (const deps of Object.values(universe[n] ?? {})) {
      for (const d of Object.keys(deps)) if (!names.has(d)) (names.add(d), queue.push(d));
    }
  }
  const order = [...names];
  const chosen = new Map<string, string | null>();
  const ok = (): boolean => {
    const need = (deps: Record<string, string>): boolean =>
      Object.entries(deps).every(([d, r]) => {
        const v = chosen.get(d);
        return v !== null && v !== undefined && semverSatisfies(v, r);
      });
    if (!need(root)) return false;
    for (const [n, v] of chosen) if (v !== null && !need(universe[n]![v]!)) return false;
    return true;
  };
  const search = (i: number): boolean => {
    if (i === order.length) return ok();
    const n = order[i]!;
    for (const v of [null, ...Object.keys(universe[n] ?? {})]) {
      chosen.set(n, v);
      if (search(i + 1)) return true;
    }
    chosen.delete(n);
    return false;
  };
  return search(0);
}

/** Every package a derivation states a fact about (root aside): an explanation must name each. */
export function factPackages(derivation: Derivation): Set<string> {
  const out = new Set<string>();
  for (const n of derivation.incompatibilities) {
    if (n.cause.type === 'conflict') continue;
    for (const t of n.terms) if (t.package !== 'root') out.add(t.package);
    if (n.cause.type === 'dependency') out.add(n.cause.dependency);
  }
  return out;
}
