/**
 * The shape of one `pakt` command. Each command lives in src/cli/commands/<verb>.ts, default-exports
 * a Command, and is listed in src/cli/commands/index.ts. Commands are thin: parse arguments, call the
 * library (opening the store with openStore/withRegistry of src/cli/open.ts), return data; main.ts
 * prints and picks the exit code.
 */
import type { Readable, Writable } from 'node:stream';
import type { RegistryError } from '../errors.js';
import type { GlobalValues } from './globals.js';

/** The sections of `pakt --help`, in this order. */
export const COMMAND_GROUPS = {
  /** init, pack, validate, publish, info, versions, search, download, resolve, tree, delete, verify, gc */
  packages: 'Packages',
  /** keys, sign, trust, audit */
  trust: 'Trust, signatures and audit',
  /** advisories, scan, policy (the advisory policy today; the signature requirement joins it as one more part) */
  advisories: 'Advisories and scanning',
  /** serve, user, token, visibility, login, logout, whoami */
  server: 'Server and remote registries',
  /** install, list, remove, upgrade, export, import, upstream */
  transfer: 'Install, bundles and upstreams',
} as const;

export type CommandGroup = keyof typeof COMMAND_GROUPS;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** How --help names the value of a string option, e.g. `<file>` (default `<value>`). */
  value?: string;
  /** One line for --help. */
  description: string;
}

export interface Example {
  /** The whole command line, starting with `pakt`. */
  command: string;
  /** What it does, in a few words. */
  does: string;
}

export interface CommandContext {
  /** Store folder: --store, else $PAKT_STORE (when not empty), else ./.pakt, resolved to an absolute path. */
  store: string;
  /** Every global option as given (see GLOBAL_OPTIONS in globals.ts); openStore reads them. */
  globals: GlobalValues;
  json: boolean;
  quiet: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** True when stdout is a terminal: only then does long work show progress (on stderr). */
  interactive: boolean;
  /**
   * Asks a yes/no question on the terminal (default no); undefined when stdin or stdout is not a
   * terminal, so a command that needs an answer must then be told (`--yes`).
   */
  confirm?: (question: string) => Promise<boolean>;
}

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CommandOutcome {
  /** The `--json` document (docs/cli.md gives each command's shape); printed instead of any text. */
  json: unknown;
  /** The answer a person asked for (query commands): printed on stdout, also with --quiet. */
  text?: string;
  /** What an action did ("published ..."): printed on stdout unless --quiet. */
  confirmation?: string;
  /** Notes and timings: on stderr, unless --quiet or --json. */
  notes?: string[];
  /** Warnings: on stderr as `warning: ...`, always (with --json they are also in the document). */
  warnings?: string[];
  /** Failures of a command that went on after them (bulk publish): `error[CODE]: ...` on stderr each. */
  failures?: RegistryError[];
  /** 0 by default; 1 where the command ran but found a failure (invalid package, corruption). */
  exitCode?: 0 | 1;
}

export interface Command {
  name: string;
  /** e.g. `validate <file.zip>` */
  usage: string;
  summary: string;
  /** The section of `pakt --help` it is listed in. */
  group: CommandGroup;
  /** One or two invocations for --help, each with what it does. */
  examples: readonly Example[];
  options: Record<string, OptionSpec>;
  /** Inclusive bounds on the number of positionals; checked before run() (E_USAGE). */
  positionals: { min: number; max: number };
  run(args: CommandArgs, ctx: CommandContext): Promise<CommandOutcome>;
}
