import path from 'node:path';
import { listInstalled } from '../../install/index.js';
import type { Command } from '../command.js';
import { INTO_OPTION, intoOf } from '../install-report.js';

const USAGE = 'list --into <dir> [--verify]';

const list: Command = {
  name: 'list',
  usage: USAGE,
  summary: 'the packages installed in a folder, each folder checked (exit 1 if one is missing or damaged)',
  options: {
    into: INTO_OPTION,
    verify: { type: 'boolean', description: 're-hash every installed file against its package manifest' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    // Reads the folder only: no store is needed.
    const r = await listInstalled({ into, verify: args.values['verify'] === true });
    const where = path.relative(ctx.cwd, r.into) || '.';
    const lines = r.packages.map((p) => {
      const flag = p.state === 'ok' ? '' : `  ${p.state.toUpperCase()}: ${p.problems.slice(0, 3).join('; ')}`;
      return `${p.name}@${p.version}${p.requirement !== undefined ? `  (${p.requirement})` : ''}${flag}`;
    });
    if (!r.locked) lines.push(`${where}: nothing installed (no pakt-lock.json)`);
    else lines.push(r.ok ? `${where}: ${r.packages.length} package(s)${args.values['verify'] === true ? ', every file verified' : ''}` : `${where}: ${r.packages.filter((p) => p.state !== 'ok').length} of ${r.packages.length} package(s) not as the lockfile says; \`pakt install --into ${where} --repair\` writes them again`);
    return {
      json: { into: r.into, locked: r.locked, ok: r.ok, requirements: r.requirements, packages: r.packages.map((p) => ({ name: p.name, version: p.version, digest: p.digest, path: p.path, ...(p.requirement !== undefined ? { requirement: p.requirement } : {}), state: p.state, problems: p.problems })) },
      text: lines.join('\n'),
      exitCode: r.ok ? 0 : 1,
    };
  },
};

export default list;
