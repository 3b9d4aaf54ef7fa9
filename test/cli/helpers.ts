/**
 * The one rig for CLI tests: runCli in process with captured stdout and stderr (a terminal or a
 * pipe, of a given width), a scripted terminal for questions, and the JSON document parsed when
 * --json was given.
 */
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export class Capture extends Writable {
  text = '';
  bytes: Buffer[] = [];
  constructor(readonly isTTY = false, readonly columns?: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.bytes.push(Buffer.from(chunk));
    this.text += chunk.toString();
    cb();
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout's raw bytes (an archive written with `-o -`). */
  stdoutBytes: Buffer;
  /** The --json document; each test asserts the shape it reads. */
  json: any;
}

export interface RunOptions {
  /** stdout and stderr (and stdin) are a terminal. */
  tty?: boolean;
  /** The terminal's width (with tty). */
  columns?: number;
  /** Lines typed at the terminal, answering questions in turn (implies tty). */
  answers?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A runner for `pakt` with the given working folder and store (none: the args give it). */
export function cliRunner(defaults: { cwd: () => string; store?: () => string }) {
  return async function pakt(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    const tty = options.tty === true || options.answers !== undefined;
    const stdout = new Capture(tty, options.columns);
    const stderr = new Capture(tty);
    const stdin = Object.assign(new PassThrough(), { isTTY: tty });
    if (options.answers) for (const a of options.answers) stdin.write(`${a}\n`);
    const argv = defaults.store ? ['--store', defaults.store(), ...args] : [...args];
    const code = await runCli(argv, { stdin, stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? defaults.cwd() });
    stdin.end();
    const json = args.includes('--json') && stdout.text !== '' ? JSON.parse(stdout.text) : undefined;
    return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: Buffer.concat(stdout.bytes), json };
  };
}
