import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installOutcome, installProgress, INTO_OPTION, intoOf } from '../install-report.js';
import { withRegistry } from '../open.js';
import { requirementsOf } from './resolve.js';

const USAGE = 'install [name[@range]...] --into <dir> [--frozen] [--repair] [--dry-run]';

const install: Command = {
  name: 'install',
  usage: USAGE,
  summary: 'resolve, verify and extract packages into a folder, recorded in <dir>/pakt-lock.json (--frozen: exactly the lockfile)',
  group: 'transfer',
  examples: [
    { command: "pakt install word-count 'shout@^1.0.0' --into ./plugins", does: 'add two packages and their dependencies to ./plugins and its lockfile' },
    { command: 'pakt install --frozen --into ./ci-plugins', does: 'install exactly what ./ci-plugins/pakt-lock.json says, or fail' },
  ],
  options: {
    into: INTO_OPTION,
    frozen: { type: 'boolean', description: 'install exactly what pakt-lock.json says; never resolve; fail (E_LOCK_MISMATCH) if the store or the folder disagree' },
    repair: { type: 'boolean', description: 're-hash every installed package and write again the ones whose files changed' },
    'dry-run': DRY_RUN_OPTION,
  },
  positionals: { min: 0, max: Infinity },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    const requirements = requirementsOf(args.positionals);
    const r = await withRegistry(ctx, async (registry) => {
      const progress = installProgress(ctx, 'installing');
      try {
        return await registry.install({ into, requirements, frozen: args.values['frozen'] === true, repair: args.values['repair'] === true, dryRun: args.values['dry-run'] === true, onProgress: progress.onProgress });
      } finally {
        progress.done();
      }
    });
    return installOutcome(r, ctx);
  },
};

export default install;
