import { openRegistry } from '../../index.js';
import type { Command } from '../command.js';
import { DRY_RUN_OPTION, installJson, installProgress, installText, INTO_OPTION, intoOf } from '../install-report.js';
import { requirementsOf } from './resolve.js';

const USAGE = 'install [name[@range]...] --into <dir> [--frozen] [--repair] [--dry-run]';

const install: Command = {
  name: 'install',
  usage: USAGE,
  summary: 'resolve, verify and extract packages into a folder, recorded in <dir>/pakt-lock.json (--frozen: exactly the lockfile)',
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
    const registry = await openRegistry({ path: ctx.store, create: false });
    const progress = installProgress(ctx, 'installing');
    try {
      const r = await registry.install({ into, requirements, frozen: args.values['frozen'] === true, repair: args.values['repair'] === true, dryRun: args.values['dry-run'] === true, onProgress: progress.onProgress });
      return { json: installJson(r), text: installText(r, ctx) };
    } finally {
      progress.done();
      await registry.close();
    }
  },
};

export default install;
