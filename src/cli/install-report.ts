/**
 * What install, upgrade and remove print: the `--json` document and the lines a person reads,
 * the same for all three so a script parses one shape; and the `--into` option they share.
 */
import path from 'node:path';
import { RegistryError } from '../errors.js';
import type { InstallProgress, InstallResult } from '../install/types.js';
import type { CommandArgs, CommandContext, CommandOutcome, OptionSpec } from './command.js';
import { count, shownPath } from './format.js';
import { startProgress } from './progress.js';

export const INTO_OPTION: OptionSpec = { type: 'string', description: 'the folder packages are installed into (required)' };
export const DRY_RUN_OPTION: OptionSpec = { type: 'boolean', description: 'show what would change, change nothing' };

/** The absolute install folder from --into; E_USAGE without it. */
export function intoOf(args: CommandArgs, ctx: CommandContext, usage: string): string {
  const into = args.values['into'];
  if (typeof into !== 'string' || into === '') throw new RegistryError('E_USAGE', `--into <dir> is required: pakt ${usage}`, { hint: 'Name the folder to install into, e.g. --into ./plugins.' });
  return path.resolve(ctx.cwd, into);
}

/** A progress line on a terminal (nothing otherwise), fed by the library's progress callback. */
export function installProgress(ctx: CommandContext, label: string): { onProgress(p: InstallProgress): void; done(): void } {
  const progress = startProgress(ctx, label);
  return {
    onProgress(p) {
      if (p.phase === 'fetch' || p.phase === 'extract') progress.tick(p.done, p.total, `${p.phase === 'fetch' ? 'downloaded' : 'extracted'} ${p.name ?? ''}`);
    },
    done: () => progress.done(),
  };
}

export function installJson(r: InstallResult): unknown {
  return {
    into: r.into,
    lockfile: r.lockfile,
    dryRun: r.dryRun,
    added: r.added,
    changed: r.changed,
    repaired: r.repaired,
    removed: r.removed,
    unchanged: r.unchanged,
    stillNeeded: r.stillNeeded,
    requirements: r.requirements,
  };
}

/**
 * The outcome of install, upgrade and remove: a dry run answers a question (printed also with
 * --quiet), a real run reports what it did (a confirmation); a named package that stays installed
 * because others need it is a warning.
 */
export function installOutcome(r: InstallResult, ctx: CommandContext): CommandOutcome {
  const lines: string[] = [];
  for (const a of r.added) lines.push(`+ ${a.name}@${a.version}`);
  for (const c of r.changed) lines.push(`~ ${c.name} ${c.from} → ${c.to}`);
  for (const p of r.repaired) lines.push(`! ${p.name}@${p.version} (folder was missing or damaged; written again)`);
  for (const d of r.removed) lines.push(`- ${d.name}@${d.version}`);
  const where = shownPath(r.into, ctx.cwd);
  const changes = r.added.length + r.changed.length + r.repaired.length + r.removed.length;
  const verb = r.dryRun ? 'would change' : 'changed';
  lines.push(changes === 0 ? `${where}: up to date (${count(r.unchanged, 'package')})` : `${where}: ${verb} ${count(changes, 'package')}, ${r.unchanged} unchanged${r.dryRun ? ' (dry run: nothing was written)' : ''}`);
  const warnings = r.stillNeeded.map((n) => `${n} stays installed: other installed packages depend on it`);
  const report = lines.join('\n');
  return { json: installJson(r), ...(r.dryRun ? { text: report } : { confirmation: report }), warnings };
}
