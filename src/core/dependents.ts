/**
 * Which stored versions depend on a package, and what a removal of some of its versions does to
 * them: the question `delete` asks before it removes anything. It reads every stored version's
 * dependencies once (the metadata has no reverse index), so it costs a scan of the metadata.
 */
import type { CoreContext } from './context.js';
import { assertName } from './lookup.js';
import type { Dependent } from './types.js';

/**
 * The stored versions of other packages whose dependency on `name` admits one of `removing`,
 * each with the highest version of `name` that would still satisfy it (null: nothing would).
 */
export async function dependentsOf(ctx: CoreContext, name: string, removing: readonly string[]): Promise<Dependent[]> {
  assertName(name, ctx.limits);
  const gone = new Set(removing);
  const remaining = (ctx.metadata.listVersionNumbers ? await ctx.metadata.listVersionNumbers(name) : (await ctx.metadata.listVersions(name)).map((r) => r.version)).filter((v) => !gone.has(v));
  const out: Dependent[] = [];
  for await (const record of ctx.metadata.allVersions()) {
    if (record.name === name) continue;
    const deps = record.metadata.dependencies;
    if (!deps || !Object.hasOwn(deps, name)) continue;
    const range = deps[name]!;
    if (!removing.some((v) => ctx.versioning.satisfies(v, range))) continue;
    out.push({ name: record.name, version: record.version, range, satisfiedBy: ctx.versioning.maxSatisfying(remaining, range) });
  }
  return out.sort((a, b) => (a.name === b.name ? ctx.versioning.compare(b.version, a.version) : a.name < b.name ? -1 : 1));
}
