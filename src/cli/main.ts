#!/usr/bin/env node
/**
 * `pakt [global options] <command> [args]` (SPEC §4).
 * Exit codes: 0 success, 1 the operation failed, 2 usage error. Errors go to stderr as
 * `error[E_CODE]: message` plus a hint; with --json the failure is also `{"error":{...}}` on stdout.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RegistryError, toRegistryError } from '../errors.js';
import type { Command, CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';

interface GlobalOptions {
  store?: string;
  json: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
  rest: string[];
}

/** Pulls the global options out of argv wherever they stand; the rest goes to the command. */
export function splitGlobalOptions(argv: readonly string[]): GlobalOptions {
  const out: GlobalOptions = { json: false, quiet: false, help: false, version: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--json') out.json = true;
    else if (arg === '--quiet' || arg === '-q') out.quiet = true;
    else if (arg === '--help' || arg === '-h') out.help = true;
    else if (arg === '--version' || arg === '-V') out.version = true;
    else if (arg === '--store') {
      const value = argv[i + 1];
      if (value === undefined) throw new RegistryError('E_USAGE', '--store needs a folder: --store <dir>');
      out.store = value;
      i++;
    } else if (arg.startsWith('--store=')) out.store = arg.slice('--store='.length);
    else out.rest.push(arg);
  }
  return out;
}

function packageVersion(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const candidate of [path.join(here, '../../package.json'), path.join(here, '../../../package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pakt' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next layout (running from src/ under vitest, or from dist/)
    }
  }
  return 'unknown';
}

function commandHelp(cmd: Command): string {
  const lines = [`usage: pakt ${cmd.usage}`, '', cmd.summary];
  const opts = Object.entries(cmd.options);
  if (opts.length > 0) {
    lines.push('', 'options:');
    for (const [name, spec] of opts) {
      const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
      lines.push(`  ${flag.padEnd(28)} ${spec.description}`);
    }
  }
  lines.push('', 'global options: --store <dir>  --json  --quiet  --help  --version');
  return lines.join('\n') + '\n';
}

async function loadCommands(): Promise<Command[]> {
  const loaded = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return loaded.map((m) => m.default);
}

async function generalHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.usage.length), 10);
  return [
    'pakt: an embeddable package registry for ZIP packages',
    '',
    'usage: pakt [--store <dir>] [--json] [--quiet] <command> [args]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'The store defaults to $PAKT_STORE, else ./.pakt. `pakt <command> --help` for details.',
    'Exit codes: 0 success, 1 the operation failed, 2 usage error.',
    '',
  ].join('\n');
}

export interface RunIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Runs one invocation and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: RunIo): Promise<number> {
  let json = argv.includes('--json');
  let quiet = false;
  try {
    const globals = splitGlobalOptions(argv);
    json = globals.json;
    quiet = globals.quiet;
    if (globals.version) {
      io.stdout.write(json ? JSON.stringify({ version: packageVersion() }) + '\n' : `pakt ${packageVersion()}\n`);
      return 0;
    }
    const [verb, ...rest] = globals.rest;
    if (verb === undefined || verb === 'help') {
      io.stdout.write(await generalHelp());
      return verb === undefined && !globals.help ? 2 : 0;
    }
    const load = Object.prototype.hasOwnProperty.call(COMMANDS, verb) ? COMMANDS[verb] : undefined;
    if (!load) {
      throw new RegistryError('E_USAGE', `unknown command '${verb}'`, {
        hint: `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`pakt --help\`.`,
      });
    }
    const cmd = (await load()).default;
    if (globals.help) {
      io.stdout.write(commandHelp(cmd));
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new RegistryError('E_USAGE', `${(err as Error).message.split('\n')[0]} (pakt ${cmd.usage})`, {
        hint: `Run \`pakt ${cmd.name} --help\`.`,
      });
    }
    const n = parsed.positionals.length;
    if (n < cmd.positionals.min || n > cmd.positionals.max) {
      throw new RegistryError('E_USAGE', `'${cmd.name}' takes ${cmd.positionals.min === cmd.positionals.max ? cmd.positionals.min : `${cmd.positionals.min} to ${cmd.positionals.max === Infinity ? 'any number of' : cmd.positionals.max}`} argument(s), got ${n}: pakt ${cmd.usage}`, {
        hint: `Run \`pakt ${cmd.name} --help\`.`,
      });
    }
    const ctx: CommandContext = {
      store: path.resolve(io.cwd, globals.store ?? io.env['PAKT_STORE'] ?? '.pakt'),
      json,
      quiet,
      cwd: io.cwd,
      env: io.env,
      stdout: io.stdout as CommandContext['stdout'],
      stderr: io.stderr as CommandContext['stderr'],
      interactive: io.stdout.isTTY === true,
    };
    const outcome = await cmd.run({ positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | string[] | undefined> }, ctx);
    if (json) io.stdout.write(JSON.stringify(outcome.json) + '\n');
    else if (outcome.text !== undefined && !quiet) io.stdout.write(outcome.text.endsWith('\n') ? outcome.text : outcome.text + '\n');
    return outcome.exitCode ?? 0;
  } catch (err) {
    const error = toRegistryError(err);
    io.stderr.write(`error[${error.code}]: ${error.message}\n`);
    if (!quiet) io.stderr.write(`  hint: ${error.hint}\n`);
    if (json) io.stdout.write(JSON.stringify({ error: error.toJSON() }) + '\n');
    return error.spec.exit;
  }
}

// Run only when executed as the bin, not when imported by tests.
const invokedAs = process.argv[1] ? path.resolve(process.argv[1]) : '';
const self = new URL(import.meta.url).pathname;
if (invokedAs === self || invokedAs === self.replace(/\.js$/, '') || path.basename(invokedAs) === 'pakt') {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error[E_INTERNAL]: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
