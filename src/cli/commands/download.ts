import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../../errors.js';
import { defaultArchiveName } from '../../package/pack.js';
import type { Command } from '../command.js';
import { formatBytes, shownPath } from '../format.js';
import { withRegistry } from '../open.js';

const download: Command = {
  name: 'download',
  usage: 'download <name> [version|range] [-o file|-] [--force]',
  summary: 'write a package archive, verified against its digest (default file: <name>-<version>.zip; `-o -` writes it to stdout)',
  group: 'packages',
  examples: [
    { command: 'pakt download left-pad', does: 'write left-pad-<latest>.zip in the current folder' },
    { command: "pakt download left-pad '^1.0.0' -o - | sha256sum", does: 'stream the highest 1.x archive, verified, to another program' },
  ],
  options: {
    output: { type: 'string', short: 'o', value: '<file|->', description: 'where to write the archive; `-` is stdout' },
    force: { type: 'boolean', description: 'replace the file if it exists (without it, an existing file is refused: E_OUTPUT_EXISTS)' },
  },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [name, spec] = args.positionals as [string, string | undefined];
    const output = typeof args.values['output'] === 'string' ? args.values['output'] : undefined;
    if (output === '-' && ctx.json) {
      throw new RegistryError('E_USAGE', "download -o - writes the archive to stdout, which --json needs for its document; use one or the other", { hint: 'Drop --json, or write to a file with -o <file>.' });
    }
    return withRegistry(ctx, async (registry) => {
      // Pin the exact version first, so the default file name and the bytes agree.
      const record = await registry.getPackageInfo(name, spec ?? 'latest');
      if (output === '-') {
        // Verified while it streams: bad bytes end the stream in an error, never cleanly.
        await pipeline(await registry.downloadPackage(record.name, record.version), ctx.stdout, { end: false });
        return { json: undefined, notes: [`${record.name}@${record.version} (${formatBytes(record.size)}, ${record.digest} verified) written to stdout`] };
      }
      const file = path.resolve(ctx.cwd, output ?? defaultArchiveName(record.name, record.version));
      const r = await registry.downloadToFile(record.name, record.version, file, { overwrite: args.values['force'] === true });
      return {
        json: { name: r.name, version: r.version, digest: r.digest, file: r.file },
        confirmation: `${r.name}@${r.version} → ${shownPath(r.file, ctx.cwd)} (${formatBytes(r.size)}, ${r.digest} verified)`,
      };
    });
  },
};

export default download;
