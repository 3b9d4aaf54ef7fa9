import { openRegistry } from '../../index.js';
import type { Command } from '../command.js';

const del: Command = {
  name: 'delete',
  usage: 'delete <name> [version]',
  summary: 'remove one version, or every version of a package (audited)',
  options: {},
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, version] = args.positionals as [string, string | undefined];
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      const deleted = await registry.deletePackage(name, version);
      const warnings = deleted.filter((d) => d.blobError !== undefined);
      for (const d of warnings) ctx.stderr.write(`warning: ${d.name}@${d.version}: ${d.blobError}\n`);
      return {
        json: { deleted: deleted.map((d) => ({ name: d.name, version: d.version, digest: d.digest })) },
        text: deleted.map((d) => `deleted  ${d.name}@${d.version}`).join('\n'),
      };
    } finally {
      await registry.close();
    }
  },
};

export default del;
