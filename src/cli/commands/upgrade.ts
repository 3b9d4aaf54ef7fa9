import { RegistryError } from '../../errors.js';
import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installOutcome, installProgress, INTO_OPTION, intoOf } from '../install-report.js';
import { withRegistry } from '../open.js';

const USAGE = 'upgrade [name...] [--all] --into <dir> [--dry-run]';

const upgrade: Command = {
  name: 'upgrade',
  usage: USAGE,
  summary: 'move installed packages to the highest versions their recorded requirements allow',
  group: 'transfer',
  examples: [
    { command: 'pakt upgrade --all --into ./plugins --dry-run', does: 'show what an upgrade of everything would change' },
    { command: 'pakt upgrade word-count --into ./plugins', does: 'upgrade one package (and what it needs) as far as its range allows' },
  ],
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
    const r = await withRegistry(ctx, async (registry) => {
      const progress = installProgress(ctx, 'upgrading');
      try {
        return await registry.upgradeInstalled({ into, packages: args.positionals, all, dryRun: args.values['dry-run'] === true, onProgress: progress.onProgress });
      } finally {
        progress.done();
      }
    });
    return installOutcome(r, ctx);
  },
};

export default upgrade;
