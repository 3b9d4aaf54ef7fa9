/**
 * `pakt --help` (every command, grouped), `pakt <command> --help` (its options a line each and its
 * examples), and both as JSON with --json. Text wraps to the terminal's width (80 columns when
 * stdout is not a terminal), continuation lines indented under their description.
 */
import { COMMAND_GROUPS, type Command, type CommandGroup, type OptionSpec } from './command.js';
import { GLOBAL_OPTIONS } from './globals.js';

const MIN_WIDTH = 40;

/** `text` as lines of at most `room` characters (a word longer than that stands alone). */
function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  lines.push(line);
  return lines;
}

/** Lays out `label` and `text` as a two-column entry, wrapping `text` at `width`. */
function entry(label: string, text: string, labelWidth: number, width: number, indent = 2): string[] {
  const pad = indent + labelWidth + 2;
  const lines = wrap(text, Math.max(20, width - pad));
  const head = `${' '.repeat(indent)}${label}`;
  const rest = (ls: string[]) => ls.map((l) => `${' '.repeat(pad)}${l}`);
  if (head.length + 2 > pad) return [head, ...rest(lines)];
  return [`${head.padEnd(pad)}${lines[0]}`, ...rest(lines.slice(1))];
}

/** Plain text wrapped at `width`, indented by `indent`. */
function paragraph(text: string, width: number, indent = 0): string[] {
  return wrap(text, Math.max(20, width - indent)).map((l) => `${' '.repeat(indent)}${l}`);
}

export function optionLabel(name: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : '';
  return `${spec.short ? `-${spec.short}, ` : '    '}--${name}${value}`;
}

function optionLines(options: Record<string, OptionSpec>, width: number): string[] {
  const labels = Object.entries(options).map(([name, spec]) => [optionLabel(name, spec), spec.description + (spec.multiple ? ' (may be given more than once)' : '')] as const);
  const labelWidth = Math.min(28, Math.max(0, ...labels.map(([l]) => l.length)));
  return labels.flatMap(([label, text]) => entry(label, text, labelWidth, width));
}

export function helpWidth(columns: number | undefined): number {
  return Math.max(MIN_WIDTH, Math.min(columns ?? 80, 120));
}

export function commandHelp(cmd: Command, width: number): string {
  const lines = [`usage: pakt ${cmd.usage}`, '', ...paragraph(cmd.summary, width)];
  if (Object.keys(cmd.options).length > 0) lines.push('', 'options:', ...optionLines(cmd.options, width));
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS, width));
  if (cmd.examples.length > 0) {
    lines.push('', 'examples:');
    for (const e of cmd.examples) lines.push(`  ${e.command}`, ...paragraph(e.does, width, 6));
  }
  return lines.join('\n') + '\n';
}

export function generalHelp(commands: readonly Command[], width: number): string {
  const labelWidth = Math.min(30, Math.max(...commands.map((c) => c.name.length)));
  const lines = ['pakt: an embeddable package registry for ZIP packages', '', 'usage: pakt [global options] <command> [args]'];
  for (const [group, title] of Object.entries(COMMAND_GROUPS) as Array<[CommandGroup, string]>) {
    const inGroup = commands.filter((c) => c.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', ...paragraph(`${title}:`, width));
    for (const c of inGroup) lines.push(...entry(c.name, c.summary, labelWidth, width));
  }
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS, width));
  lines.push('', ...paragraph('Run `pakt <command> --help` for a command\'s arguments, options and examples. Exit codes: 0 success, 1 the operation failed (or found a problem), 2 usage error.', width));
  return lines.join('\n') + '\n';
}

function optionsJson(options: Record<string, OptionSpec>): unknown[] {
  return Object.entries(options).map(([name, spec]) => ({ name, type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.type === 'string' ? { value: spec.value ?? '<value>' } : {}), ...(spec.multiple ? { multiple: true } : {}), description: spec.description }));
}

export function commandHelpJson(cmd: Command): unknown {
  return { name: cmd.name, group: cmd.group, usage: `pakt ${cmd.usage}`, summary: cmd.summary, options: optionsJson(cmd.options), globalOptions: optionsJson(GLOBAL_OPTIONS), examples: cmd.examples };
}

export function generalHelpJson(commands: readonly Command[]): unknown {
  return {
    usage: 'pakt [global options] <command> [args]',
    groups: Object.entries(COMMAND_GROUPS).map(([name, title]) => ({ name, title })),
    commands: commands.map((c) => ({ name: c.name, group: c.group, usage: `pakt ${c.usage}`, summary: c.summary })),
    globalOptions: optionsJson(GLOBAL_OPTIONS),
    exitCodes: { '0': 'success', '1': 'the operation failed or found a problem', '2': 'usage error' },
  };
}
