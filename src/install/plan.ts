/**
 * Deciding the target state of an install folder: which version of which package.
 *
 * Resolution goes through the registry's resolver (src/resolve), with the lockfile as a
 * preference: the packages named (being installed or upgraded) go to the versions a fresh
 * resolution gives them, and the others stay at their locked versions where they can. The
 * resolver has no notion of preference, so the lock is offered in stages, from the least change
 * to the most, and the first that resolves wins:
 *
 *   1. every locked package not named keeps its version (it is offered that version only);
 *   2. the named packages' locked dependencies (transitively) may move too;
 *   3. nothing is held: the fresh resolution itself.
 *
 * In stages 1 and 2 the named packages are held to their versions in the fresh resolution, so
 * `upgrade app` never settles for an older app just because a newer one needs a newer library.
 * When the fresh resolution fails, its explanation (E_UNSATISFIABLE) is the one reported: it is
 * about the real store, not about a restricted view of it.
 */
import type { VersionRecord, VersioningProvider, VersionSyntax } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { isLatestTag, parseSpec } from '../package/name-version.js';
import { resolve } from '../resolve/index.js';
import type { ResolveSource } from '../resolve/types.js';
import { compatibleRange, type Lockfile } from './lockfile.js';
import { mapLimit } from './pipeline.js';
import type { InstallSource, Requirements } from './types.js';

/** Requirements as name → range; `name@range` strings parsed; each name once. */
export function normalizeRequirements(requirements: Requirements | undefined, versioning: VersioningProvider): Record<string, string> {
  const out: Record<string, string> = {};
  if (requirements === undefined) return out;
  const entries: Array<[string, string]> = [];
  if (Array.isArray(requirements)) {
    for (const spec of requirements as readonly string[]) {
      const parsed = typeof spec === 'string' ? parseSpec(spec) : null;
      if (parsed === null) throw new RegistryError('E_INVALID_ARGUMENT', `'${String(spec).slice(0, 80)}' is not a package requirement; write name@range, e.g. left-pad@^1.0.0`, { found: String(spec).slice(0, 80) });
      entries.push([parsed.name, parsed.range]);
    }
  } else if (requirements !== null && typeof requirements === 'object') {
    entries.push(...Object.entries(requirements as Record<string, string>));
  } else {
    throw new RegistryError('E_INVALID_ARGUMENT', 'requirements must be an object of name → range or an array of name@range strings');
  }
  for (const [name, range] of entries) {
    if (parseSpec(name)?.name !== name) throw new RegistryError('E_PKG_NAME_INVALID', `'${String(name).slice(0, 80)}' is not a valid package name`, { found: String(name).slice(0, 80) });
    if (typeof range !== 'string' || (!isLatestTag(range) && !versioning.isValidRange(range))) {
      throw new RegistryError('E_PKG_RANGE_INVALID', `the requirement ${name}@${String(range).slice(0, 80)} has an invalid range`, { path: name, found: String(range).slice(0, 80) });
    }
    if (Object.hasOwn(out, name) && out[name] !== range) {
      throw new RegistryError('E_INVALID_ARGUMENT', `${name} is required twice (${out[name]} and ${range}); give each package once, with one range such as '>=1.2.0,<2.0.0'`, { name });
    }
    out[name] = range;
  }
  return out;
}

function pinnedSource(base: ResolveSource, pins: ReadonlyMap<string, string>): ResolveSource {
  return {
    async versions(name) {
      const all = await base.versions(name);
      const pin = pins.get(name);
      return pin === undefined ? all : all.filter((v) => v.version === pin);
    },
  };
}

/**
 * One version per package for `requirements`, keeping locked packages outside `free` where
 * possible (see the module comment). `dependenciesOf` gives a locked package's dependencies.
 */
export async function resolveWithLock(
  source: InstallSource,
  requirements: Readonly<Record<string, string>>,
  lock: Lockfile | undefined,
  free: ReadonlySet<string> | 'all',
  dependenciesOf: (name: string) => Promise<Readonly<Record<string, string>>>,
): Promise<Record<string, string>> {
  const root: Record<string, string> = {};
  for (const [name, range] of Object.entries(requirements)) root[name] = isLatestTag(range) ? '*' : range;
  const fresh = (): Promise<Record<string, string>> => resolve(root, source.resolveSource, source.versioning).then((r) => r.solution);
  if (!lock || free === 'all' || Object.keys(lock.packages).length === 0) return fresh();
  // What the named packages would be in a fresh resolution (none named: the lock as it is).
  const ideal = free.size > 0 ? await fresh() : undefined;
  const moving = new Set<string>();
  const stack = [...free];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (moving.has(n)) continue;
    moving.add(n);
    if (Object.hasOwn(lock.packages, n)) stack.push(...Object.keys(await dependenciesOf(n)));
  }
  const held = (keep: (name: string) => boolean): Map<string, string> => {
    const pins = new Map<string, string>();
    for (const [n, p] of Object.entries(lock.packages)) if (keep(n)) pins.set(n, p.version);
    if (ideal) for (const n of free) if (ideal[n] !== undefined) pins.set(n, ideal[n]);
    return pins;
  };
  for (const pins of [held((n) => !free.has(n)), held((n) => !moving.has(n))]) {
    try {
      return (await resolve(root, pinnedSource(source.resolveSource, pins), source.versioning)).solution;
    } catch (err) {
      if (!(err instanceof RegistryError) || err.code !== 'E_UNSATISFIABLE') throw err;
    }
  }
  return ideal ?? fresh();
}

/** The record of every package of a solution (at most 8 reads at once). */
export async function recordsOf(source: InstallSource, solution: Readonly<Record<string, string>>): Promise<Map<string, VersionRecord>> {
  const names = Object.keys(solution).sort();
  const records = await mapLimit(names, 8, async (name) => {
    const record = await source.getVersion(name, solution[name]!);
    if (!record) throw new RegistryError('E_VERSION_NOT_FOUND', `${name}@${solution[name]} was deleted from the store while the install was being planned; run it again`, { name, expected: solution[name] });
    return record;
  });
  return new Map(names.map((n, i) => [n, records[i]!]));
}

/** The requirements to record: one given as `latest` becomes `^<version solved>` (compatibleRange), as npm and Cargo do. */
export function recordedRequirements(requirements: Readonly<Record<string, string>>, solution: Readonly<Record<string, string>>, versioning: VersionSyntax): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, range] of Object.entries(requirements)) out[name] = isLatestTag(range) ? compatibleRange(solution[name]!, versioning) : range;
  return out;
}
