import { openRegistry } from '../../index.js';
import { formatBytes } from '../format.js';
import type { Command } from '../command.js';
import { startProgress } from '../progress.js';

const gc: Command = {
  name: 'gc',
  usage: 'gc [--dry-run]',
  summary: 'remove archives no version refers to (and temp files of dead processes)',
  options: { 'dry-run': { type: 'boolean', description: 'show what would be removed and the bytes freed; remove nothing' } },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const dryRun = args.values['dry-run'] === true;
    const registry = await openRegistry({ path: ctx.store, create: false });
    const progress = startProgress(ctx, dryRun ? 'checking' : 'removing');
    try {
      const r = await registry.gc({ dryRun, onProgress: (d, t) => progress.tick(d, t) });
      progress.done();
      const verb = dryRun ? 'would remove' : 'removed';
      const lines = r.blobs.map((b) => `${verb}  ${b.digest}  ${formatBytes(b.size)}`);
      lines.push(`${dryRun ? 'Would remove' : 'Removed'} ${r.removed} archive(s), ${dryRun ? 'freeing' : 'freed'} ${formatBytes(r.bytesFreed)}${r.tempSwept > 0 ? `; swept ${r.tempSwept} temp file(s)` : ''}`);
      return {
        json: { removed: r.removed, bytesFreed: r.bytesFreed, dryRun: r.dryRun, blobs: r.blobs, tempSwept: r.tempSwept },
        text: lines.join('\n'),
      };
    } finally {
      progress.done();
      await registry.close();
    }
  },
};

export default gc;
