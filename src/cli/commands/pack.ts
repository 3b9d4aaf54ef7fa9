/** `pakt pack <dir> [-o file.zip]`: build a package archive from a folder holding metadata.json. */
import { packDirectory } from '../../package/pack.js';
import type { Command } from '../command.js';

const pack: Command = {
  name: 'pack',
  usage: 'pack <dir> [-o file.zip]',
  summary: 'build a package from a folder holding metadata.json: write manifest.json, zip deterministically',
  options: {
    output: { type: 'string', short: 'o', description: 'archive to write (default: <name>-<version>.zip in the current folder)' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const output = args.values['output'];
    const result = await packDirectory(args.positionals[0]!, { cwd: ctx.cwd, ...(typeof output === 'string' ? { outFile: output } : {}) });
    return {
      json: { file: result.file, name: result.name, version: result.version, digest: result.digest, size: result.size },
      text: `packed ${result.name}@${result.version} into ${result.file} (${result.size} bytes, ${result.digest})`,
    };
  },
};

export default pack;
