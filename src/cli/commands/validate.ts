/**
 * `pakt validate <file.zip>`: check a package without storing it; exit 0 valid, 1 invalid.
 * It needs no store: it takes the default validation provider from the composition root, the
 * same provider publish uses, so the two never disagree.
 */
import path from 'node:path';
import { createZipValidator } from '../../../providers/index.js';
import type { Command } from '../command.js';
import { count, formatBytes } from '../format.js';

const validate: Command = {
  name: 'validate',
  usage: 'validate <file.zip>',
  summary: 'check a package archive without storing it (exit 0 valid, 1 invalid); lists every problem',
  group: 'packages',
  examples: [
    { command: 'pakt validate my-package-1.0.0.zip', does: 'check it as publish would, storing nothing' },
    { command: 'pakt validate bad.zip --json', does: 'every problem as {"code","message","path"} for a script' },
  ],
  options: {},
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const file = args.positionals[0]!;
    // Text lines carry the message only: messages show paths escaped, while `path` is the raw
    // name (kept for --json), which could hold terminal escape sequences.
    const report = await createZipValidator().validateFile(path.resolve(ctx.cwd, file));
    const errors = report.errors.map((e) => (e.path === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, path: e.path }));
    const json = { valid: report.valid, name: report.name ?? null, version: report.version ?? null, errors };
    const who = report.name !== undefined ? `${report.name}@${report.version ?? '?'}` : file;
    const text = report.valid
      ? `${who} is a valid package (${count(report.fileCount ?? 0, 'file')}, ${formatBytes(report.unpackedBytes ?? 0)} unpacked)`
      : [`${file} is not a valid package: ${count(errors.length, 'problem')}`, ...errors.map((e) => `  error[${e.code}]: ${e.message}`)].join('\n');
    return { json, text, exitCode: report.valid ? 0 : 1 };
  },
};

export default validate;
