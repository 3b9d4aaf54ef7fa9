#!/usr/bin/env node
/**
 * `pakt [global options] <command> [args]` (docs/cli.md).
 * Exit codes: 0 success, 1 the operation failed, 2 usage error. Errors go to stderr as
 * `error[E_CODE]: message` plus a hint; with --json the failure is also `{"error":{...}}` on stdout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { RegistryError, toRegistryError } from '../errors.js';
import type { Command, CommandContext, CommandOutcome } from './command.js';
import { COMMANDS } from './commands/index.js';
import { splitGlobalOptions, storeFolder } from './globals.js';
import { commandHelp, commandHelpJson, generalHelp, generalHelpJson, helpWidth } from './help.js';
import { parseCommandArgs } from './parse.js';
import { nearest } from './suggest.js';

export { splitGlobalOptions } from './globals.js';

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

async function loadCommands(): Promise<Command[]> {
  const loaded = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return loaded.map((m) => m.default);
}

export interface RunIo {
  stdin?: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A yes/no question on the terminal; anything but y or yes is no. */
function terminalConfirm(io: RunIo): CommandContext['confirm'] {
  const stdin = io.stdin;
  if (!stdin?.isTTY || !io.stdout.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: stdin, output: io.stderr, terminal: false });
    try {
      return /^\s*y(es)?\s*$/i.test(await rl.question(`${question} [y/N] `));
    } finally {
      rl.close();
    }
  };
}

function print(outcome: CommandOutcome, io: RunIo, json: boolean, quiet: boolean): void {
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  for (const w of outcome.warnings ?? []) io.stderr.write(`warning: ${w}\n`);
  for (const f of outcome.failures ?? []) {
    io.stderr.write(`error[${f.code}]: ${f.message}\n`);
    if (!quiet) io.stderr.write(`  hint: ${f.hint}\n`);
  }
  if (json) {
    if (outcome.json !== undefined) io.stdout.write(JSON.stringify(outcome.json) + '\n');
    return;
  }
  if (outcome.text !== undefined) io.stdout.write(line(outcome.text));
  if (!quiet && outcome.confirmation !== undefined && outcome.confirmation !== '') io.stdout.write(line(outcome.confirmation));
  if (!quiet) for (const n of outcome.notes ?? []) io.stderr.write(line(n));
}

/** Runs one invocation and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: RunIo): Promise<number> {
  let json = argv.includes('--json');
  let quiet = false;
  try {
    const { globals, rest } = splitGlobalOptions(argv);
    json = globals.json === true;
    quiet = globals.quiet === true;
    const width = helpWidth(io.stdout.isTTY ? io.stdout.columns : undefined);
    if (globals.version) {
      io.stdout.write(json ? JSON.stringify({ version: packageVersion() }) + '\n' : `pakt ${packageVersion()}\n`);
      return 0;
    }
    let [verb, ...args] = rest;
    if (verb === 'help' && args.length > 0) {
      // `pakt help <command>` is `pakt <command> --help`.
      [verb, ...args] = args;
      globals.help = true;
    }
    if (verb === undefined || verb === 'help') {
      const commands = await loadCommands();
      io.stdout.write(json ? JSON.stringify(generalHelpJson(commands)) + '\n' : generalHelp(commands, width));
      // No command at all is a usage error, even though the help it gets is what it needs.
      return verb === undefined && !globals.help ? 2 : 0;
    }
    const load = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
    if (!load) {
      const guess = nearest(verb, Object.keys(COMMANDS));
      throw new RegistryError('E_USAGE', `unknown command '${verb.slice(0, 40)}'${guess ? `; did you mean '${guess}'?` : ''}`, {
        hint: guess ? `Did you mean \`pakt ${guess}\`? Run \`pakt --help\` for every command.` : 'Run `pakt --help` for every command.',
      });
    }
    const cmd = (await load()).default;
    if (globals.help) {
      io.stdout.write(json ? JSON.stringify(commandHelpJson(cmd)) + '\n' : commandHelp(cmd, width));
      return 0;
    }
    const parsed = parseCommandArgs(cmd, args);
    const confirm = terminalConfirm(io);
    const ctx: CommandContext = {
      store: storeFolder(globals, io.env, io.cwd),
      globals,
      json,
      quiet,
      cwd: io.cwd,
      env: io.env,
      stdin: io.stdin ?? (process.stdin as Readable & { isTTY?: boolean }),
      stdout: io.stdout,
      stderr: io.stderr,
      interactive: io.stdout.isTTY === true,
      ...(confirm ? { confirm } : {}),
    };
    const outcome = await cmd.run(parsed, ctx);
    print(outcome, io, json, quiet);
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
  runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error[E_INTERNAL]: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
