import type { Command } from '../command.js';
import { count, formatBytes } from '../format.js';
import { withRegistry } from '../open.js';
import { startProgress } from '../progress.js';

const gc: Command = {
  name: 'gc',
  usage: 'gc [--dry-run]',
  summary: 'remove archives no version refers to (and temp files of dead processes)',
  group: 'packages',
  examples: [
    { command: 'pakt gc --dry-run', does: 'list what would be removed and the bytes it would free' },
    { command: 'pakt gc', does: 'remove them' },
  ],
  options: { 'dry-run': { type: 'boolean', description: 'show what would be removed and the bytes freed; remove nothing' } },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const dryRun = args.values['dry-run'] === true;
    const r = await withRegistry(ctx, async (registry) => {
      const progress = startProgress(ctx, dryRun ? 'checking' : 'removing');
      try {
        return await registry.gc({ dryRun, onProgress: (d, t) => progress.tick(d, t) });
      } finally {
        progress.done();
      }
    });
    const verb = dryRun ? 'would remove' : 'removed';
    const lines = r.blobs.map((b) => `${verb}  ${b.digest}  ${formatBytes(b.size)}`);
    lines.push(`${dryRun ? 'Would remove' : 'Removed'} ${count(r.removed, 'archive')}, ${dryRun ? 'freeing' : 'freed'} ${formatBytes(r.bytesFreed)}${r.tempSwept > 0 ? `; swept ${count(r.tempSwept, 'temp file')}` : ''}`);
    const json = { removed: r.removed, bytesFreed: r.bytesFreed, dryRun: r.dryRun, blobs: r.blobs, tempSwept: r.tempSwept };
    // A dry run answers a question; a real one reports what it did.
    return dryRun ? { json, text: lines.join('\n') } : { json, confirmation: lines.join('\n') };
  },
};

export default gc;
