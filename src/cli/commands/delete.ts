import { RegistryError } from '../../errors.js';
import type { Dependent } from '../../core/types.js';
import type { Command } from '../command.js';
import { count } from '../format.js';
import { withRegistry } from '../open.js';

function dependentWarning(name: string, d: Dependent): string {
  return d.satisfiedBy === null
    ? `${d.name}@${d.version} depends on ${name} ${d.range}, which no remaining version satisfies`
    : `${d.name}@${d.version} depends on ${name} ${d.range}; it will get ${d.satisfiedBy}`;
}

const del: Command = {
  name: 'delete',
  usage: 'delete <name> [version] [--yes]',
  summary: 'remove one version, or every version of a package (asked on a terminal, --yes otherwise); warns about stored packages that depend on it; audited',
  group: 'packages',
  examples: [
    { command: 'pakt delete left-pad 1.0.0', does: 'remove one version (its archive too, unless another version shares it)' },
    { command: 'pakt delete left-pad --yes', does: 'remove every version without asking' },
  ],
  options: {
    yes: { type: 'boolean', short: 'y', description: 'delete every version without asking (needed when not on a terminal)' },
  },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, version] = args.positionals as [string, string | undefined];
    return withRegistry(ctx, async (registry) => {
      const versions = version === undefined ? (await registry.listVersions(name)).versions.map((r) => r.version) : [version];
      // Asked before anything is removed, so that a person can still say no.
      const dependents = await registry.findDependents(name, versions);
      const warnings = dependents.filter((d) => d.satisfiedBy === null).map((d) => dependentWarning(name, d));
      if (version === undefined && args.values['yes'] !== true) {
        const what = `every version of ${name} (${count(versions.length, 'version')}: ${versions.slice(0, 5).join(', ')}${versions.length > 5 ? ', …' : ''})`;
        if (!ctx.confirm) {
          throw new RegistryError('E_USAGE', `deleting ${what} needs --yes when pakt is not run on a terminal`, { hint: `Pass --yes to delete them all, or name one version: pakt delete ${name} ${versions[0] ?? '<version>'}.` });
        }
        for (const w of warnings.splice(0)) ctx.stderr.write(`warning: ${w}\n`);
        if (!(await ctx.confirm(`Delete ${what}?`))) {
          throw new RegistryError('E_USAGE', `deleting ${what} was not confirmed; nothing was deleted`, { hint: 'Answer y to delete, or pass --yes.' });
        }
      }
      const deleted = await registry.deletePackage(name, version);
      for (const d of deleted) if (d.blobError !== undefined) warnings.push(`${d.name}@${d.version}: ${d.blobError}`);
      return {
        json: {
          deleted: deleted.map((d) => ({ name: d.name, version: d.version, digest: d.digest })),
          dependents: dependents.map((d) => ({ name: d.name, version: d.version, range: d.range, satisfiedBy: d.satisfiedBy })),
        },
        confirmation: deleted.map((d) => `deleted  ${d.name}@${d.version}`).join('\n'),
        warnings,
      };
    });
  },
};

export default del;
