/** `pakt pack <dir> [-o file.zip]`: build a package archive from a folder holding metadata.json. */
import { packDirectory } from '../../package/pack.js';
import type { Command } from '../command.js';
import { formatBytes, shownPath } from '../format.js';

const pack: Command = {
  name: 'pack',
  usage: 'pack <dir> [-o file.zip]',
  summary: 'build a package from a folder holding metadata.json: write manifest.json, zip deterministically',
  group: 'packages',
  examples: [
    { command: 'pakt pack ./my-package', does: 'write my-package-<version>.zip in the current folder' },
    { command: 'pakt pack ./my-package -o dist/my-package.zip', does: 'write the archive where you say' },
  ],
  options: {
    output: { type: 'string', short: 'o', value: '<file.zip>', description: 'archive to write (default: <name>-<version>.zip in the current folder)' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const output = args.values['output'];
    const r = await packDirectory(args.positionals[0]!, { cwd: ctx.cwd, ...(typeof output === 'string' ? { outFile: output } : {}) });
    return {
      json: { file: r.file, name: r.name, version: r.version, digest: r.digest, size: r.size },
      confirmation: `packed ${r.name}@${r.version} into ${shownPath(r.file, ctx.cwd)} (${formatBytes(r.size)}, ${r.digest})`,
    };
  },
};

export default pack;
