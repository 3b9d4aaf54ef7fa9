/**
 * The global options every command takes, in one table: parsed wherever they stand on the command
 * line, listed by every --help, and read by openStore (src/cli/open.ts). A new one (a registry
 * URL, a key file, offline mode, other metadata or storage) is one row here and, if it changes
 * how the store is opened, a few lines in openStore; no command changes.
 */
import path from 'node:path';
import { RegistryError } from '../errors.js';
import type { OptionSpec } from './command.js';

export interface GlobalOptionSpec extends OptionSpec {
  /** The environment variable that gives the default (an empty value counts as unset). */
  env?: string;
}

export const GLOBAL_OPTIONS = {
  store: { type: 'string', value: '<dir>', env: 'PAKT_STORE', description: 'the store folder (default: $PAKT_STORE, else ./.pakt)' },
  registry: { type: 'string', value: '<url>', env: 'PAKT_REGISTRY', description: 'work against a Pakt server instead of a store folder (default: $PAKT_REGISTRY)' },
  offline: { type: 'boolean', description: 'ask no upstream (no network call at all); list only what the store holds (also PAKT_OFFLINE=1)' },
  json: { type: 'boolean', description: 'machine output: one JSON document on stdout, nothing else there' },
  quiet: { type: 'boolean', short: 'q', description: 'only what was asked for: no progress, notes, hints or confirmations' },
  help: { type: 'boolean', short: 'h', description: 'show help (`pakt <command> --help` for one command)' },
  version: { type: 'boolean', short: 'V', description: 'print the version of pakt' },
} as const satisfies Record<string, GlobalOptionSpec>;

export type GlobalName = keyof typeof GLOBAL_OPTIONS;
export type GlobalValues = { [K in GlobalName]?: (typeof GLOBAL_OPTIONS)[K]['type'] extends 'string' ? string : boolean };

const BY_SHORT = new Map<string, GlobalName>(
  Object.entries(GLOBAL_OPTIONS).flatMap(([name, spec]) => ('short' in spec ? [[spec.short, name as GlobalName] as const] : [])),
);

/** Pulls the global options out of argv wherever they stand (up to `--`); the rest goes to the command. */
export function splitGlobalOptions(argv: readonly string[]): { globals: GlobalValues; rest: string[] } {
  const globals: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const long = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const name: GlobalName | undefined = long && Object.hasOwn(GLOBAL_OPTIONS, long[1]!) ? (long[1] as GlobalName) : /^-[a-zA-Z]$/.test(arg) ? BY_SHORT.get(arg.slice(1)) : undefined;
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    const spec: GlobalOptionSpec = GLOBAL_OPTIONS[name];
    const inline = long?.[2];
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new RegistryError('E_USAGE', `--${name} takes no value, got '--${name}=${inline.slice(0, 40)}'`, { hint: `Write --${name} alone.` });
      globals[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') {
      throw new RegistryError('E_USAGE', `--${name} needs a value: --${name} ${spec.value ?? '<value>'}`, { hint: `Give the value after the option, e.g. --${name} ${spec.value ?? '<value>'}.` });
    }
    globals[name] = value;
  }
  return { globals: globals as GlobalValues, rest };
}

/** A global option's value: given on the command line, else from its environment variable when set and not empty. */
export function globalValue(globals: GlobalValues, name: GlobalName, env: NodeJS.ProcessEnv): string | undefined {
  const given = globals[name];
  if (typeof given === 'string') return given;
  const spec: GlobalOptionSpec = GLOBAL_OPTIONS[name];
  const fromEnv = spec.env === undefined ? undefined : env[spec.env];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** The store folder a command works on, as an absolute path. */
export function storeFolder(globals: GlobalValues, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, globalValue(globals, 'store', env) ?? '.pakt');
}
