/**
 * The shape of one `pakt` command. Each command lives in src/cli/commands/<verb>.ts, default-exports
 * a Command, and is listed in src/cli/commands/index.ts. Commands are thin: parse arguments, call the
 * library, return data; main.ts prints and picks the exit code.
 */
import type { Writable } from 'node:stream';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** One line for --help. */
  description: string;
}

export interface CommandContext {
  /** Store folder: --store, else $PAKT_STORE, else ./.pakt (resolved to an absolute path). */
  store: string;
  json: boolean;
  quiet: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** True when stdout is a terminal: only then does long work show progress (on stderr). */
  interactive: boolean;
}

export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CommandOutcome {
  /** The `--json` document (SPEC §4). */
  json: unknown;
  /** What a person reads on stdout without --json (omit for nothing). */
  text?: string;
  /** 0 by default; 1 where the command ran but found a failure (invalid package, corruption). */
  exitCode?: 0 | 1;
}

export interface Command {
  name: string;
  /** e.g. `validate <file.zip>` */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Inclusive bounds on the number of positionals; checked before run() (E_USAGE). */
  positionals: { min: number; max: number };
  run(args: CommandArgs, ctx: CommandContext): Promise<CommandOutcome>;
}
