import path from 'node:path';
import { advisoryStatus, formatDuration, importAdvisories, readAdvisoryPolicy, RegistryError, type AdvisoryDbInfo } from '../../index.js';
import type { Command } from '../command.js';
import { count } from '../format.js';
import { startProgress } from '../progress.js';
import { withScanContext } from '../scan-context.js';

/** SPEC §8's `db` object, exactly its four fields. */
export function dbJson(db: AdvisoryDbInfo): AdvisoryDbInfo {
  return { version: db.version, records: db.records, newestModified: db.newestModified, importedAt: db.importedAt };
}

export function dbText(db: AdvisoryDbInfo): string {
  return `advisory database ${db.version.slice(0, 19)}…: ${count(db.records, 'advisory', 'advisories')}, newest modified ${db.newestModified ?? 'never'}, imported ${db.importedAt}`;
}

const advisories: Command = {
  name: 'advisories',
  usage: 'advisories import <file.json|dir|file.zip>|status',
  summary: 'import OSV advisories (a record, an array, a folder, or osv.dev all.zip) or show the database',
  group: 'advisories',
  examples: [
    { command: 'pakt advisories import all.zip', does: "import osv.dev's npm all.zip, copied next to the store (no network needed)" },
    { command: 'pakt advisories status --json', does: 'the database\'s version, record count and age' },
  ],
  options: {
    'skip-invalid': { type: 'boolean', description: 'import: import the valid records and list (skip) malformed ones, instead of refusing all' },
  },
  positionals: { min: 1, max: 2 },
  async run(args, ctx) {
    const [sub, input, ...rest] = args.positionals;
    if (sub === 'status') {
      if (input !== undefined || rest.length > 0 || args.values['skip-invalid'] !== undefined) throw new RegistryError('E_USAGE', `'advisories status' takes no arguments or options: pakt advisories status`, { hint: 'Run `pakt advisories status`, or `pakt advisories --help`.' });
      const status = await withScanContext(ctx, (context) => advisoryStatus(context));
      if (!status) throw new RegistryError('E_ADVISORIES_MISSING', `no advisory database was ever imported into ${ctx.store}`);
      return {
        json: { ...dbJson(status), ageHours: status.ageHours },
        text: `${dbText(status)} (${status.ageHours.toFixed(1)} hours ago)`,
      };
    }
    if (sub !== 'import') {
      throw new RegistryError('E_USAGE', `unknown advisories command '${String(sub).slice(0, 40)}': pakt advisories import <file.json|dir|file.zip> [--skip-invalid], or pakt advisories status`, { hint: 'Run `pakt advisories --help`.' });
    }
    if (input === undefined || rest.length > 0) throw new RegistryError('E_USAGE', `'advisories import' takes one file, folder or ZIP: pakt advisories import <file.json|dir|file.zip>`, { hint: 'Run `pakt advisories --help`.' });
    const { report, policy, stored } = await withScanContext(ctx, async (context) => {
      const progress = startProgress(ctx, 'importing advisories');
      let report;
      try {
        report = await importAdvisories(context, path.resolve(ctx.cwd, input), {
          skipInvalid: args.values['skip-invalid'] === true,
          onProgress: (n) => progress.tick(n),
        });
      } finally {
        progress.done();
      }
      return { report, ...(await readAdvisoryPolicy(context.metadata.documents)) };
    });
    const lines = [
      `imported ${report.imported} new, ${report.updated} updated, ${report.withdrawn} withdrawn, ${report.unchanged} unchanged, ${report.ignored} not about npm (${count(report.records, 'record')} from ${input})`,
      dbText(report.db),
      `policy: blocks ${policy.block === 'none' ? 'nothing' : `${policy.block} and above`}, warns ${policy.warn === 'none' ? 'never' : `at ${policy.warn} and above`}${stored ? '' : ' (the defaults; `pakt policy set` changes them)'}${policy.maxAdvisoryAgeHours !== null ? `, maximum advisory age ${formatDuration(policy.maxAdvisoryAgeHours * 3_600_000)}` : ''}`,
    ];
    // Skipped records were asked for (--skip-invalid), but each is an advisory not checked: always shown.
    const warnings = report.skipped.slice(0, 20).map((s) => `skipped a malformed record: ${s.file}${s.id ? ` (${s.id})` : ''}: ${s.message}`);
    if (report.skippedCount > 20) warnings.push(`skipped ${count(report.skippedCount - 20, 'more malformed record')} (--json lists up to 1000)`);
    return {
      json: {
        imported: report.imported,
        updated: report.updated,
        unchanged: report.unchanged,
        withdrawn: report.withdrawn,
        db: dbJson(report.db),
        ignored: report.ignored,
        records: report.records,
        skipped: report.skipped,
      },
      confirmation: lines.join('\n'),
      warnings,
    };
  },
};

export default advisories;
