import { openRegistry, type PackageRef } from '../../index.js';
import { formatBytes } from '../format.js';
import type { Command } from '../command.js';
import { startProgress } from '../progress.js';

const verify: Command = {
  name: 'verify',
  usage: 'verify [--rebuild-metadata]',
  summary: 're-hash every stored archive; report missing and corrupt ones (exit 1 if any)',
  options: {
    'rebuild-metadata': { type: 'boolean', description: 'first add to the metadata every version found in the stored archives (never removes any)' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const registry = await openRegistry({ path: ctx.store, create: false });
    try {
      const lines: string[] = [];
      let rebuild;
      if (args.values['rebuild-metadata'] === true) {
        const progress = startProgress(ctx, 'rebuilding metadata');
        try {
          rebuild = await registry.rebuildMetadata({ onProgress: (d, t) => progress.tick(d, t) });
        } finally {
          progress.done();
        }
        lines.push(`rebuilt metadata from ${rebuild.scanned} archives: ${rebuild.inserted} added, ${rebuild.unchanged} already there, ${rebuild.conflicts.length} conflicting, ${rebuild.unreadable.length} unreadable`);
      }
      const progress = startProgress(ctx, 'verifying');
      let result;
      try {
        result = await registry.verify({ onProgress: (d, t) => progress.tick(d, t) });
      } finally {
        progress.done();
      }
      const show = (label: string, refs: PackageRef[]): void => {
        for (const r of refs) lines.push(`${label}  ${r.name}@${r.version}  ${r.digest}`);
      };
      show('corrupt', result.corrupt);
      show('missing', result.missing);
      for (const a of result.audit) {
        for (const p of a.problems.slice(0, 10)) lines.push(`audit    ${a.sink} record ${p.record}: ${p.reason}`);
        if (a.problems.length > 10) lines.push(`audit    ${a.sink}: ${a.problems.length - 10} more problem(s)`);
      }
      for (const s of result.steps) lines.push(`step ${s.step.padEnd(18)} ${s.ms.toFixed(1)} ms`);
      if (result.orphans.count > 0) lines.push(`${result.orphans.count} unreferenced archive(s), ${formatBytes(result.orphans.bytes)}: run \`pakt gc\``);
      const tampered = result.audit.filter((a) => !a.ok).length;
      lines.push(
        result.ok
          ? `ok: ${result.checked} archive(s) verified${result.audit.length > 0 ? `, audit log intact (${result.audit.map((a) => a.records).join(', ')} records)` : ''}`
          : `FAILED: ${result.corrupt.length} corrupt, ${result.missing.length} missing of ${result.checked}${tampered > 0 ? `; audit log tampered (E_AUDIT_TAMPERED)` : ''}${result.corrupt.length + result.missing.length > 0 ? '; republish them from good copies' : ''}`,
      );
      return {
        json: { ok: result.ok, checked: result.checked, corrupt: result.corrupt, missing: result.missing, orphans: result.orphans, audit: result.audit, steps: result.steps, ...(rebuild ? { rebuild } : {}) },
        text: lines.join('\n'),
        exitCode: result.ok ? 0 : 1,
      };
    } finally {
      await registry.close();
    }
  },
};

export default verify;
