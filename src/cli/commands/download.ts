import path from 'node:path';
import { openRegistry } from '../../index.js';
import { formatBytes } from '../format.js';
import { defaultArchiveName } from '../../package/pack.js';
import type { Command } from '../command.js';

const download: Command = {
  name: 'download',
  usage: 'download <name> [version|range] [-o file]',
  summary: 'write a package archive, verified against its digest (default file: <name>-<version>.zip)',
  options: { output: { type: 'string', short: 'o', description: 'where to write the archive' } },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, spec] = args.positionals as [string, string | undefined];
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      // Pin the exact version first, so the default file name and the bytes agree.
      const record = await registry.getPackageInfo(name, spec ?? 'latest');
      const output = typeof args.values['output'] === 'string' ? args.values['output'] : defaultArchiveName(record.name, record.version);
      const file = path.resolve(ctx.cwd, output);
      const r = await registry.downloadToFile(record.name, record.version, file);
      return {
        json: { name: r.name, version: r.version, digest: r.digest, file: r.file },
        text: `${r.name}@${r.version} → ${path.relative(ctx.cwd, r.file) || r.file} (${formatBytes(r.size)}, ${r.digest} verified)`,
      };
    } finally {
      await registry.close();
    }
  },
};

export default download;
