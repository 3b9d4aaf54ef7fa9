import { openRegistry } from '../../index.js';
import { formatBytes } from '../format.js';
import type { Command } from '../command.js';

const info: Command = {
  name: 'info',
  usage: 'info <name> [version|range]',
  summary: 'metadata of one version (default: latest)',
  options: {},
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, spec] = args.positionals as [string, string | undefined];
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      const r = await registry.getPackageInfo(name, spec ?? 'latest');
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
    } finally {
      await registry.close();
    }
  },
};

export default info;
