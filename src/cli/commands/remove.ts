import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installOutcome, INTO_OPTION, intoOf } from '../install-report.js';
import { withRegistry } from '../open.js';

const USAGE = 'remove <name>... --into <dir> [--dry-run]';

const remove: Command = {
  name: 'remove',
  usage: USAGE,
  summary: 'uninstall packages from a folder, with the dependencies nothing else needs',
  group: 'transfer',
  examples: [
    { command: 'pakt remove shout --into ./plugins', does: 'uninstall shout, and what only it needed' },
    { command: 'pakt remove shout --into ./plugins --dry-run', does: 'show what would go, change nothing' },
  ],
  options: { into: INTO_OPTION, 'dry-run': DRY_RUN_OPTION },
  positionals: { min: 1, max: Infinity },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    const r = await withRegistry(ctx, (registry) => registry.removeInstalled({ into, packages: args.positionals, dryRun: args.values['dry-run'] === true }));
    return installOutcome(r, ctx);
  },
};

export default remove;
