import { openRegistry } from '../../index.js';
import type { Command } from '../command.js';

const versions: Command = {
  name: 'versions',
  usage: 'versions <name>',
  summary: 'all versions of a package, highest first',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      const list = await registry.listVersions(args.positionals[0]!);
      const width = Math.max(...list.versions.map((r) => r.version.length));
      return {
        json: { name: list.name, latest: list.latest, versions: list.versions.map((r) => r.version) },
        text: list.versions.map((r) => `${r.version.padEnd(width)}  ${r.publishedAt}${r.version === list.latest ? '  (latest)' : ''}`).join('\n'),
      };
    } finally {
      await registry.close();
    }
  },
};

export default versions;
