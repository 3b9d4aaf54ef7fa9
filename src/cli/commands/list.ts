import { listInstalled } from '../../install/index.js';
import { quoteArg } from '../../scan/advisories.js';
import type { Command } from '../command.js';
import { count, shownPath } from '../format.js';
import { INTO_OPTION, intoOf } from '../install-report.js';

const USAGE = 'list --into <dir> [--verify]';

const list: Command = {
  name: 'list',
  usage: USAGE,
  summary: 'the packages installed in a folder, each folder checked (exit 1 if one is missing or damaged)',
  group: 'transfer',
  examples: [
    { command: 'pakt list --into ./plugins', does: 'what is installed, with the requirement each root was installed for' },
    { command: 'pakt list --into ./plugins --verify --json', does: 're-hash every installed file too, as JSON' },
  ],
  options: {
    into: INTO_OPTION,
    verify: { type: 'boolean', description: 're-hash every installed file against its package manifest' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, ctx) {
    const into = intoOf(args, ctx, USAGE);
    // Reads the folder only: no store is needed.
    const r = await listInstalled({ into, verify: args.values['verify'] === true });
    const where = shownPath(r.into, ctx.cwd);
    const lines = r.packages.map((p) => {
      const flag = p.state === 'ok' ? '' : `  ${p.state.toUpperCase()}: ${p.problems.slice(0, 3).join('; ')}`;
      return `${p.name}@${p.version}${p.requirement !== undefined ? `  (${p.requirement})` : ''}${flag}`;
    });
    const bad = r.packages.filter((p) => p.state !== 'ok').length;
    if (!r.locked) lines.push(`${where}: nothing installed (no pakt-lock.json)`);
    else if (r.ok) lines.push(`${where}: ${count(r.packages.length, 'package')}${args.values['verify'] === true ? ', every file verified' : ''}`);
    else lines.push(`${where}: ${bad} of ${count(r.packages.length, 'package')} not as the lockfile says; \`pakt install --into ${quoteArg(where)} --repair\` writes them again`);
    return {
      json: { into: r.into, locked: r.locked, ok: r.ok, requirements: r.requirements, packages: r.packages.map((p) => ({ name: p.name, version: p.version, digest: p.digest, path: p.path, ...(p.requirement !== undefined ? { requirement: p.requirement } : {}), state: p.state, problems: p.problems })) },
      text: lines.join('\n'),
      exitCode: r.ok ? 0 : 1,
    };
  },
};

export default list;
