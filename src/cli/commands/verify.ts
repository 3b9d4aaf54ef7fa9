import type { PackageRef } from '../../core/types.js';
import type { Command } from '../command.js';
import { count, formatBytes } from '../format.js';
import { withRegistry } from '../open.js';
import { startProgress } from '../progress.js';

const verify: Command = {
  name: 'verify',
  usage: 'verify [--rebuild-metadata]',
  summary: 're-hash every stored archive; report missing and corrupt ones and a tampered audit log (exit 1 if any)',
  group: 'packages',
  examples: [
    { command: 'pakt verify', does: 'check every archive against its digest, and the audit chain' },
    { command: 'pakt verify --rebuild-metadata', does: 'first put back versions whose archives are stored but whose rows are missing' },
  ],
  options: {
    'rebuild-metadata': { type: 'boolean', description: 'first add to the metadata every version found in the stored archives (never removes any)' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const { rebuild, result } = await withRegistry(ctx, async (registry) => {
      let rebuilt;
      if (args.values['rebuild-metadata'] === true) {
        const progress = startProgress(ctx, 'rebuilding metadata');
        try {
          rebuilt = await registry.rebuildMetadata({ onProgress: (d, t) => progress.tick(d, t) });
        } finally {
          progress.done();
        }
      }
      const progress = startProgress(ctx, 'verifying');
      try {
        return { rebuild: rebuilt, result: await registry.verify({ onProgress: (d, t) => progress.tick(d, t) }) };
      } finally {
        progress.done();
      }
    });
    const lines: string[] = [];
    if (rebuild) {
      lines.push(`rebuilt metadata from ${count(rebuild.scanned, 'archive')}: ${rebuild.inserted} added, ${rebuild.unchanged} already there, ${rebuild.conflicts.length} conflicting, ${rebuild.unreadable.length} unreadable`);
    }
    const show = (label: string, refs: PackageRef[]): void => {
      for (const r of refs) lines.push(`${label}  ${r.name}@${r.version}  ${r.digest}`);
    };
    show('corrupt', result.corrupt);
    show('missing', result.missing);
    for (const a of result.audit) {
      for (const p of a.problems.slice(0, 10)) lines.push(`audit    ${a.sink} record ${p.record}: ${p.reason}`);
      if (a.problems.length > 10) lines.push(`audit    ${a.sink}: ${count(a.problems.length - 10, 'more problem')}`);
    }
    if (result.orphans.count > 0) lines.push(`${count(result.orphans.count, 'unreferenced archive')}, ${formatBytes(result.orphans.bytes)}: run \`pakt gc\``);
    const tampered = result.audit.filter((a) => !a.ok).length;
    lines.push(
      result.ok
        ? `ok: ${count(result.checked, 'archive')} verified${result.audit.length > 0 ? `, audit log intact (${result.audit.map((a) => count(a.records, 'record')).join(', ')})` : ''}`
        : `FAILED: ${result.corrupt.length} corrupt, ${result.missing.length} missing of ${count(result.checked, 'archive')}${tampered > 0 ? '; audit log tampered (E_AUDIT_TAMPERED)' : ''}${result.corrupt.length + result.missing.length > 0 ? '; republish them from good copies' : ''}`,
    );
    return {
      json: { ok: result.ok, checked: result.checked, corrupt: result.corrupt, missing: result.missing, orphans: result.orphans, audit: result.audit, steps: result.steps, ...(rebuild ? { rebuild } : {}) },
      text: lines.join('\n'),
      notes: result.steps.map((s) => `step ${s.step.padEnd(18)} ${s.ms.toFixed(1)} ms`),
      exitCode: result.ok ? 0 : 1,
    };
  },
};

export default verify;
