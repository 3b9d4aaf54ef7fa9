import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError, toRegistryError } from '../../errors.js';
import type { PublishResult } from '../../core/types.js';
import type { Command } from '../command.js';
import { count, formatBytes, shownPath } from '../format.js';
import { withRegistry } from '../open.js';
import { startProgress } from '../progress.js';

/** One argument, expanded: the files it names, or why it names none. */
interface Input {
  given: string;
  files: string[];
  error?: RegistryError;
}

/** Each file as given, each folder's `*.zip` files (not recursive), sorted. */
async function expand(given: string, cwd: string): Promise<Input> {
  const full = path.resolve(cwd, given);
  const info = await stat(full).catch(() => undefined);
  if (!info) return { given, files: [], error: new RegistryError('E_INPUT_NOT_FOUND', `'${given}' does not exist`, { path: full }) };
  if (!info.isDirectory()) return { given, files: [full] };
  const zips = (await readdir(full, { withFileTypes: true })).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.zip')).map((e) => path.join(full, e.name)).sort();
  if (zips.length === 0) return { given, files: [], error: new RegistryError('E_INPUT_NOT_FOUND', `folder '${given}' holds no *.zip file`, { path: full, hint: 'Build packages with `pakt pack <dir>`, or give the .zip files themselves.' }) };
  return { given, files: zips };
}

/** One package's outcome, as text and JSON list it. */
type Outcome = { file: string; result: PublishResult } | { file: string; error: RegistryError };

function outcomeJson(o: Outcome): Record<string, unknown> {
  if ('result' in o) {
    const r = o.result;
    return { name: r.name, version: r.version, digest: r.digest, size: r.size, status: r.status, file: o.file };
  }
  const { hint: _hint, ...error } = o.error.toJSON();
  return { file: o.file, status: 'failed', error: { ...error, hint: o.error.hint } };
}

const publish: Command = {
  name: 'publish',
  usage: 'publish <file.zip|dir>... [--fail-fast]',
  summary: 'validate and store packages; a folder means every *.zip in it. Every package is tried and its outcome reported; exit 1 if any failed',
  group: 'packages',
  examples: [
    { command: 'pakt publish dist/', does: 'publish every *.zip in dist/, reporting each one' },
    { command: 'pakt publish a.zip b.zip --fail-fast', does: 'stop at the first package that is refused' },
  ],
  options: {
    'fail-fast': { type: 'boolean', description: 'stop at the first package that fails (the ones before it stay published)' },
  },
  positionals: { min: 1, max: Infinity },
  async run(args, ctx) {
    const failFast = args.values['fail-fast'] === true;
    const inputs: Input[] = [];
    for (const given of args.positionals) inputs.push(await expand(given, ctx.cwd));
    const total = inputs.reduce((n, i) => n + Math.max(1, i.files.length), 0);
    const outcomes: Outcome[] = [];
    const stopped = (): boolean => failFast && outcomes.some((o) => 'error' in o);
    const unreadable = inputs.filter((i) => i.error);
    if (unreadable.length > 0 && (failFast || unreadable.length === inputs.length)) {
      for (const i of unreadable) outcomes.push({ file: shownPath(path.resolve(ctx.cwd, i.given), ctx.cwd), error: i.error! });
    } else {
      await withRegistry(ctx, async (registry) => {
        const progress = startProgress(ctx, 'publishing');
        try {
          for (const input of inputs) {
            if (stopped()) break;
            if (input.error) {
              outcomes.push({ file: shownPath(path.resolve(ctx.cwd, input.given), ctx.cwd), error: input.error });
              continue;
            }
            for (const file of input.files) {
              if (stopped()) break;
              const shown = shownPath(file, ctx.cwd);
              try {
                outcomes.push({ file: shown, result: await registry.publishPackage(file) });
              } catch (err) {
                const error = toRegistryError(err);
                outcomes.push({ file: shown, error: new RegistryError(error.code, `${shown}: ${error.message}`, { ...error.details }, { cause: error }) });
              }
              progress.tick(outcomes.length, total, shown);
            }
          }
        } finally {
          progress.done();
        }
      });
    }
    const failures = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
    const results = outcomes.map(outcomeJson);
    const lines = outcomes.map((o) =>
      'result' in o ? `${o.result.status.padEnd(9)}  ${o.result.name}@${o.result.version}  ${formatBytes(o.result.size)}  ${o.result.digest}` : `${'failed'.padEnd(9)}  ${o.file}  ${o.error.code}`,
    );
    const published = outcomes.filter((o) => 'result' in o && o.result.status === 'published').length;
    const unchanged = outcomes.filter((o) => 'result' in o && o.result.status === 'unchanged').length;
    const notTried = failFast && failures.length > 0 ? total - outcomes.length : 0;
    if (failures.length === 0) return { json: results, confirmation: lines.join('\n') };
    const first = failures[0]!;
    const summary = `${count(failures.length, 'package')} of ${total} not published${notTried > 0 ? ` (${notTried} not tried: --fail-fast)` : ''}`;
    lines.push(`${summary}; ${published} published, ${unchanged} unchanged`);
    const { hint: _hint, ...firstJson } = first.toJSON();
    return {
      json: { error: { ...firstJson, message: failures.length === 1 && notTried === 0 ? first.message : `${summary}; first: ${first.message}`, hint: first.hint, results } },
      confirmation: lines.join('\n'),
      failures,
      exitCode: 1,
    };
  },
};

export default publish;
