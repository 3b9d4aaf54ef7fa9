import { openRegistry } from '../../index.js';
import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installJson, installText, INTO_OPTION, intoOf } from '../install-report.js';

const USAGE = 'remove <name>... --into <dir> [--dry-run]';

const remove: Command = {
  name: 'remove',
  usage: USAGE,
  summary: 'uninstall packages from a folder, with the dependencies nothing else needs',
  options: { into: INTO_OPTION, 'dry-run': DRY_RUN_OPTION },
  positionals: { min: 1, max: Infinity },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      const r = await registry.removeInstalled({ into, packages: args.positionals, dryRun: args.values['dry-run'] === true });
      return { json: installJson(r), text: installText(r, ctx) };
    } finally {
      await registry.close();
    }
  },
};

export default remove;
