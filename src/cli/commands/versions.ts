import type { Command } from '../command.js';
import { withRegistry } from '../open.js';

const versions: Command = {
  name: 'versions',
  usage: 'versions <name>',
  summary: 'all versions of a package, highest first, with the one `latest` means',
  group: 'packages',
  examples: [{ command: 'pakt versions left-pad', does: 'every published version and when it was published' }],
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const list = await withRegistry(ctx, (registry) => registry.listVersions(args.positionals[0]!));
    const width = Math.max(...list.versions.map((r) => r.version.length));
    return {
      json: { name: list.name, latest: list.latest, versions: list.versions.map((r) => r.version) },
      text: list.versions.map((r) => `${r.version.padEnd(width)}  ${r.publishedAt}${r.version === list.latest ? '  (latest)' : ''}`).join('\n'),
    };
  },
};

export default versions;
