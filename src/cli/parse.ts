/**
 * A command's own arguments: options of its table (long `--name value`, `--name=value`, short
 * `-n value`, booleans alone), positionals, and `--` before positionals that start with `-`.
 * A string option takes the next argument whatever it is (so `-o -` means stdout). Every mistake
 * is E_USAGE naming the command's usage, with the nearest option when one was mistyped.
 */
import { RegistryError } from '../errors.js';
import type { Command, CommandArgs, OptionSpec } from './command.js';
import { GLOBAL_OPTIONS } from './globals.js';
import { nearest } from './suggest.js';

function usageError(cmd: Command, message: string, hint?: string): RegistryError {
  return new RegistryError('E_USAGE', `${message} (pakt ${cmd.usage})`, { hint: hint ?? `Run \`pakt ${cmd.name} --help\` for its options.` });
}

function shown(arg: string): string {
  return arg.length > 40 ? `${arg.slice(0, 40)}…` : arg;
}

export function parseCommandArgs(cmd: Command, argv: readonly string[]): CommandArgs {
  const values: CommandArgs['values'] = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(cmd.options).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  const set = (name: string, spec: OptionSpec, value: string | boolean): void => {
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else values[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = arg.slice(2, eq === -1 ? undefined : eq);
      if (eq !== -1) inline = arg.slice(eq + 1);
      if (!Object.hasOwn(cmd.options, name)) {
        const guess = nearest(name, [...Object.keys(cmd.options), ...Object.keys(GLOBAL_OPTIONS)]);
        throw usageError(cmd, `unknown option '--${shown(name)}' for '${cmd.name}'${guess ? `; did you mean --${guess}?` : ''}`, guess ? `Did you mean --${guess}? Run \`pakt ${cmd.name} --help\` for its options.` : undefined);
      }
    } else {
      const letter = arg.slice(1, 2);
      name = byShort.get(letter);
      if (name === undefined || arg.length > 2) {
        throw usageError(cmd, `unknown option '${shown(arg)}' for '${cmd.name}'`);
      }
    }
    const spec = cmd.options[name]!;
    const flag = spec.short && !arg.startsWith('--') ? `-${spec.short}` : `--${name}`;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw usageError(cmd, `${flag} takes no value, got '${shown(arg)}'`);
      set(name, spec, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usageError(cmd, `${flag} needs a value: ${flag} ${spec.value ?? '<value>'}`);
    set(name, spec, value);
  }
  const n = positionals.length;
  const { min, max } = cmd.positionals;
  if (n < min || n > max) {
    const wants = min === max ? `${min} argument${min === 1 ? '' : 's'}` : max === Infinity ? `at least ${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;
    throw usageError(cmd, `'${cmd.name}' takes ${wants}, got ${n}`);
  }
  return { positionals, values };
}
