import { RegistryError } from '../../errors.js';
import { parseDuration } from '../../scan/duration.js';
import { UpstreamRegistry } from '../../upstream/index.js';
import type { Command, CommandOutcome as CommandResult } from '../command.js';
import { count, formatBytes } from '../format.js';
import { withRegistry } from '../open.js';
import { startProgress } from '../progress.js';

const gc: Command = {
  name: 'gc',
  usage: 'gc [--dry-run] | gc --cached [--older-than <dur>] [--max-bytes <n>] [--dry-run]',
  summary: 'remove archives no version refers to (and temp files of dead processes)',
  group: 'packages',
  examples: [
    { command: 'pakt gc --dry-run', does: 'list what would be removed and the bytes it would free' },
    { command: 'pakt gc --cached --older-than 30d --max-bytes 5G', does: 'evict pulled-through packages unread for 30 days, then the least recently used down to 5 GB' },
  ],
  options: {
    'dry-run': { type: 'boolean', description: 'show what would be removed and the bytes freed; remove nothing' },
    cached: { type: 'boolean', description: 'evict packages pulled through from upstreams (never authored ones), least recently used first' },
    'older-than': { type: 'string', value: '<dur>', description: 'with --cached: evict those not read for this long (90m, 36h, 7d, 2w)' },
    'max-bytes': { type: 'string', value: '<n>', description: 'with --cached: then evict until cached packages take at most this many bytes (500M, 5G)' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const dryRun = args.values['dry-run'] === true;
    if (args.values['cached'] === true) return gcCached(args.values, ctx, dryRun);
    if (args.values['older-than'] !== undefined || args.values['max-bytes'] !== undefined) {
      throw new RegistryError('E_USAGE', '--older-than and --max-bytes go with --cached: pakt gc --cached [--older-than <dur>] [--max-bytes <n>]', { hint: 'Add --cached.' });
    }
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

async function gcCached(values: Record<string, unknown>, ctx: Parameters<Command['run']>[1], dryRun: boolean): Promise<CommandResult> {
  const olderThan = values['older-than'] === undefined ? undefined : parseDuration(values['older-than'], '--older-than');
  const maxBytes = values['max-bytes'] === undefined ? undefined : parseBytes(String(values['max-bytes']));
  if (olderThan === undefined && maxBytes === undefined) {
    throw new RegistryError('E_USAGE', 'gc --cached needs --older-than <dur>, --max-bytes <n>, or both', { hint: 'e.g. pakt gc --cached --older-than 30d' });
  }
  const r = await withRegistry(ctx, async (registry) => {
    if (!(registry instanceof UpstreamRegistry)) return { dryRun, evicted: [], bytesFreed: 0, kept: 0, keptBytes: 0 };
    return registry.gcCached({ dryRun, ...(olderThan !== undefined ? { olderThanMs: olderThan } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) });
  });
  const verb = dryRun ? 'would evict' : 'evicted';
  const lines = r.evicted.map((e) => `${verb}  ${e.name}@${e.version}  ${formatBytes(e.size)}  (from ${e.upstream}, last read ${e.lastUsedAt})`);
  lines.push(`${dryRun ? 'Would evict' : 'Evicted'} ${count(r.evicted.length, 'cached version')}, ${formatBytes(r.bytesFreed)}; kept ${count(r.kept, 'cached version')} (${formatBytes(r.keptBytes)})`);
  return dryRun ? { json: r, text: lines.join('\n') } : { json: r, confirmation: lines.join('\n') };
}

/** 1048576, 500K, 500M, 5G (powers of 1024). */
function parseBytes(text: string): number {
  const m = /^(\d+)([KMG]?)B?$/i.exec(text.trim());
  if (!m) throw new RegistryError('E_INVALID_ARGUMENT', `--max-bytes must be a size such as 1048576, 500M or 5G; got '${text.slice(0, 40)}'`, { path: '--max-bytes', found: text });
  return Number(m[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf(m[2]!.toUpperCase());
}

export default gc;
