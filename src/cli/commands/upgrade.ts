import { RegistryError } from '../../errors.js';
import { openRegistry } from '../../index.js';
import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installJson, installProgress, installText, INTO_OPTION, intoOf } from '../install-report.js';

const USAGE = 'upgrade [name...] [--all] --into <dir> [--dry-run]';

const upgrade: Command = {
  name: 'upgrade',
  usage: USAGE,
  summary: 'move installed packages to the highest versions their recorded requirements allow',
  options: {
    into: INTO_OPTION,
    all: { type: 'boolean', description: 'upgrade every installed package' },
    'dry-run': DRY_RUN_OPTION,
  },
  positionals: { min: 0, max: Infinity },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    const all = args.values['all'] === true;
    if (all === (args.positionals.length > 0)) {
      throw new RegistryError('E_USAGE', all ? 'give package names or --all, not both' : 'name the packages to upgrade, or pass --all', { hint: `pakt ${USAGE}` });
    }
    const registry = await openRegistry({ path: ctx.store, create: false });
    const progress = installProgress(ctx, 'upgrading');
    try {
      const r = await registry.upgradeInstalled({ into, packages: args.positionals, all, dryRun: args.values['dry-run'] === true, onProgress: progress.onProgress });
      return { json: installJson(r), text: installText(r, ctx) };
    } finally {
      progress.done();
      await registry.close();
    }
  },
};

export default upgrade;
