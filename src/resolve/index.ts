/**
 * Dependency resolution (SPEC §3): one version per package name, every dependency range of every
 * chosen version satisfied, higher versions preferred, cycles and self-dependencies allowed.
 * Talks only to a ResolveSource and a VersioningProvider, so any metadata provider and any
 * version scheme work with it.
 */
import type { VersioningProvider } from '../contracts/versioning.js';
import { RegistryError } from '../errors.js';
import { Catalogue, LATEST, type PackageData } from './catalogue.js';
import { derivationJson, failureKind } from './derivation.js';
import { explain } from './explain.js';
import { Solver } from './solver.js';
import type {
  Derivation,
  DependencyTreeNode,
  ResolveOptions,
  ResolveSource,
  Resolution,
  RootRequirements,
  UnsatisfiableDetails,
} from './types.js';

export type * from './types.js';

interface Solved {
  solution: Record<string, string>;
  /** What each selected version depends on. */
  dependencies: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

async function solve(
  root: RootRequirements,
  source: ResolveSource,
  versioning: VersioningProvider,
  options: ResolveOptions,
): Promise<Solved> {
  for (const [name, range] of Object.entries(root)) {
    if (range !== LATEST && !versioning.isValidRange(range)) {
      throw new RegistryError('E_PKG_RANGE_INVALID', `the requirement ${name}@${range} has an invalid range '${range}'`, {
        path: name,
        found: range,
      });
    }
  }
  const catalogue = new Catalogue(source, versioning, root, options.rootName ?? 'root');
  const outcome = await new Solver(catalogue).solve();
  if (!outcome.ok) {
    const derivation = derivationJson(outcome.failure);
    const published = publishedVersions(derivation, catalogue);
    const withheld = withheldVersions(derivation, catalogue);
    const explanation = explain(outcome.failure);
    const details: UnsatisfiableDetails = { kind: failureKind(outcome.failure), explanation, derivation };
    if (Object.keys(published).length > 0) details.published = published;
    if (Object.keys(withheld).length > 0) details.withheld = withheld;
    // The message adds what the proof does not say: which versions do exist, and which the
    // source left out (the advisory policy), so a reader never takes "no versions" literally.
    throw new RegistryError('E_UNSATISFIABLE', explanation + publishedNote(published) + withheldNote(withheld), { ...details });
  }
  const entries = [...outcome.selection].sort(([a], [b]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const solution: Record<string, string> = {};
  const dependencies = new Map<string, Readonly<Record<string, string>>>();
  for (const [pkg, version] of entries) {
    solution[pkg.name] = version;
    dependencies.set(pkg.name, dependenciesOf(pkg, version));
  }
  return { solution, dependencies };
}

const PUBLISHED_SHOWN = 20;

/** The published versions of every package that a range in the proof matched no version of. */
function publishedVersions(derivation: Derivation, catalogue: Catalogue): NonNullable<UnsatisfiableDetails['published']> {
  const out: NonNullable<UnsatisfiableDetails['published']> = {};
  for (const node of derivation.incompatibilities) {
    const cause = node.cause;
    if (cause.type !== 'noVersions' || cause.invalidRange || out[cause.package]) continue;
    const pkg = catalogue.peek(cause.package);
    if (!pkg || pkg.isRoot || pkg.n === 0) continue;
    out[cause.package] = { versions: pkg.versions.slice(-PUBLISHED_SHOWN).reverse(), count: pkg.n };
  }
  return out;
}

/** "Published versions of a: 1.1.0, 1.0.0." lines under the explanation (empty when none). */
function publishedNote(published: NonNullable<UnsatisfiableDetails['published']>): string {
  const lines = Object.entries(published).map(([name, { versions, count }]) => {
    const more = count > versions.length ? `, … (${count} in all)` : '';
    return `Published versions of ${name}: ${versions.join(', ')}${more}.`;
  });
  return lines.length === 0 ? '' : `\n\n${lines.join('\n')}`;
}

/** Every package of the proof that has withheld versions: those versions (highest first) and why. */
function withheldVersions(derivation: Derivation, catalogue: Catalogue): NonNullable<UnsatisfiableDetails['withheld']> {
  const out: NonNullable<UnsatisfiableDetails['withheld']> = {};
  for (const node of derivation.incompatibilities) {
    for (const term of node.terms) {
      if (out[term.package]) continue;
      const pkg = catalogue.peek(term.package);
      if (!pkg || pkg.isRoot || pkg.withheld.length === 0) continue;
      out[term.package] = pkg.withheld.slice(-PUBLISHED_SHOWN).reverse().map((w) => ({ version: w.version, reason: w.reason, ...(w.absentFrom !== undefined ? { absentFrom: w.absentFrom } : {}) }));
    }
  }
  return out;
}

/** "Left out by the advisory policy: lodash 4.17.20 (GHSA-… (high))." lines (empty when none). */
function withheldNote(withheld: NonNullable<UnsatisfiableDetails['withheld']>): string {
  const lines = Object.entries(withheld).flatMap(([name, versions]) => {
    const blocked = versions.filter((w) => w.absentFrom === undefined);
    const absent = versions.filter((w) => w.absentFrom !== undefined);
    return [
      ...(blocked.length > 0 ? [`Left out by the advisory policy: ${blocked.map((w) => `${name} ${w.version} (${w.reason})`).join(', ')}.`] : []),
      ...absent.map((w) => `${name} ${w.version} matches but is not in this store; it is on ${w.absentFrom}.`),
    ];
  });
  return lines.length === 0 ? '' : `\n\n${lines.join('\n')}`;
}

function dependenciesOf(pkg: PackageData, version: string): Readonly<Record<string, string>> {
  return pkg.dependencies[pkg.versions.indexOf(version)] ?? {};
}

/**
 * Picks one version per package for the root requirements.
 * @throws RegistryError E_UNSATISFIABLE with details { kind, explanation, derivation } when no
 *   solution exists; E_PKG_RANGE_INVALID when a root range cannot be read.
 */
export async function resolve(
  root: RootRequirements,
  source: ResolveSource,
  versioning: VersioningProvider,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const { solution } = await solve(root, source, versioning, options);
  return { solution };
}

/**
 * The resolved dependency tree of `name@range`: each node's children are its dependencies at
 * their resolved versions, sorted by name. A package whose subtree was already shown (a repeat,
 * or a cycle) appears again with `repeated: true` and no children.
 */
export async function dependencyTree(
  name: string,
  range: string,
  source: ResolveSource,
  versioning: VersioningProvider,
  options: ResolveOptions = {},
): Promise<DependencyTreeNode> {
  const { solution, dependencies } = await solve({ [name]: range }, source, versioning, options);
  return treeOf(name, solution, dependencies);
}

/** Builds the tree under `name` from a computed solution. */
export function treeOf(
  name: string,
  solution: Readonly<Record<string, string>>,
  dependencies: ReadonlyMap<string, Readonly<Record<string, string>>>,
): DependencyTreeNode {
  // Depth-first, children in name order, iteratively (a chain thousands deep must not overflow
  // the stack). A package is expanded at its first appearance; later ones are marked repeated.
  const shown = new Set<string>();
  const top: DependencyTreeNode[] = [];
  const pending: Array<{ pkg: string; into: DependencyTreeNode[] }> = [{ pkg: name, into: top }];
  while (pending.length > 0) {
    const { pkg, into } = pending.pop()!;
    const version = solution[pkg]!;
    if (shown.has(pkg)) {
      into.push({ name: pkg, version, dependencies: [], repeated: true });
      continue;
    }
    shown.add(pkg);
    const node: DependencyTreeNode = { name: pkg, version, dependencies: [] };
    into.push(node);
    const deps = Object.keys(dependencies.get(pkg) ?? {}).sort();
    for (let i = deps.length - 1; i >= 0; i--) pending.push({ pkg: deps[i]!, into: node.dependencies });
  }
  return top[0]!;
}
