import type { Command } from '../command.js';
import { formatBytes } from '../format.js';
import { withRegistry } from '../open.js';

const info: Command = {
  name: 'info',
  usage: 'info <name> [version|range]',
  summary: 'metadata of one version (default: latest, the highest release; a package of prereleases only: the highest prerelease)',
  group: 'packages',
  examples: [
    { command: 'pakt info left-pad', does: 'the latest version of left-pad' },
    { command: "pakt info left-pad '^1.0.0' --json", does: 'the highest 1.x version, as JSON with its metadata.json' },
  ],
  options: {},
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, spec] = args.positionals as [string, string | undefined];
    const r = await withRegistry(ctx, (registry) => registry.getPackageInfo(name, spec ?? 'latest'));
    const m = r.metadata;
    const lines = [`${r.name}@${r.version}`];
    if (typeof m.description === 'string') lines.push(m.description);
    lines.push('');
    const field = (label: string, value: unknown): void => {
      if (value !== undefined && value !== '') lines.push(`${label.padEnd(13)}${String(value)}`);
    };
    field('digest', r.digest);
    field('size', formatBytes(r.size));
    field('published', r.publishedAt);
    field('author', m.author);
    field('license', m.license);
    field('homepage', m.homepage);
    if (m.tags?.length) field('tags', m.tags.join(', '));
    if (m.capabilities?.length) field('capabilities', m.capabilities.join(', '));
    const deps = Object.entries(m.dependencies ?? {});
    if (deps.length > 0) field('dependencies', deps.map(([d, range]) => `${d} ${range}`).join(', '));
    return {
      json: { name: r.name, version: r.version, digest: r.digest, size: r.size, publishedAt: r.publishedAt, metadata: r.metadata },
      text: lines.join('\n'),
    };
  },
};

export default info;
