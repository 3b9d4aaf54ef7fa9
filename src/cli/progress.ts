/**
 * Progress for long work (bulk publish, verify, gc): a single rewritten line on stderr when stdout
 * is a terminal, nothing otherwise, so pipes and --json output stay clean.
 */
import type { CommandContext } from './command.js';

export interface Progress {
  tick(done: number, total?: number, note?: string): void;
  done(): void;
}

const SILENT: Progress = { tick() {}, done() {} };

export function startProgress(ctx: CommandContext, label: string, minIntervalMs = 100): Progress {
  if (!ctx.interactive || ctx.quiet || ctx.json) return SILENT;
  let last = 0;
  let shown = false;
  return {
    tick(done, total, note) {
      const now = Date.now();
      if (now - last < minIntervalMs && (total === undefined || done < total)) return;
      last = now;
      shown = true;
      const count = total === undefined ? `${done}` : `${done}/${total}`;
      ctx.stderr.write(`\r\x1b[2K${label} ${count}${note ? ` ${note}` : ''}`);
    },
    done() {
      if (shown) ctx.stderr.write('\r\x1b[2K');
    },
  };
}
