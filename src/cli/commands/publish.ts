import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { openRegistry, RegistryError, type PublishResult } from '../../index.js';
import { formatBytes } from '../format.js';
import type { Command } from '../command.js';
import { startProgress } from '../progress.js';

/** The files to publish: each file as given, each folder's `*.zip` files (not recursive), sorted. */
async function expandInputs(inputs: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new RegistryError('E_INPUT_NOT_FOUND', `'${input}' does not exist`, { path: full });
    if (!info.isDirectory()) {
      files.push(full);
      continue;
    }
    const zips = (await readdir(full, { withFileTypes: true })).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.zip')).map((e) => path.join(full, e.name)).sort();
    if (zips.length === 0) throw new RegistryError('E_INPUT_NOT_FOUND', `folder '${input}' holds no *.zip file`, { path: full, hint: 'Build packages with `pakt pack <dir>`, or give the .zip files themselves.' });
    files.push(...zips);
  }
  return files;
}

const publish: Command = {
  name: 'publish',
  usage: 'publish <file.zip|dir>...',
  summary: 'validate and store packages; a folder means every *.zip in it',
  options: {},
  positionals: { min: 1, max: Infinity },
  async run(args, ctx) {
    const files = await expandInputs(args.positionals, ctx.cwd);
    const registry = await openRegistry({ path: ctx.store, create: false });
    const progress = startProgress(ctx, 'publishing');
    const done: PublishResult[] = [];
    try {
      for (const file of files) {
        try {
          done.push(await registry.publishPackage(file));
        } catch (err) {
          if (err instanceof RegistryError) {
            // Say which file, and what was already published before it, then stop.
            err.message = `${path.relative(ctx.cwd, file) || file}: ${err.message}`;
            if (done.length > 0) err.details['published'] = done.map((r) => `${r.name}@${r.version}`);
          }
          throw err;
        }
        progress.tick(done.length, files.length, `${done.at(-1)!.name}@${done.at(-1)!.version}`);
      }
    } finally {
      progress.done();
      await registry.close();
    }
    return {
      json: done.map((r) => ({ name: r.name, version: r.version, digest: r.digest, size: r.size, status: r.status })),
      text: done
        .map((r) => `${r.status === 'published' ? 'published' : 'unchanged'}  ${r.name}@${r.version}  ${formatBytes(r.size)}  ${r.digest}`)
        .join('\n'),
    };
  },
};

export default publish;
