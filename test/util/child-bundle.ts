/**
 * Runs TypeScript in a real child process. Tests of crash safety, permissions and multi-process
 * concurrency need separate OS processes running our real code; Node 20 cannot run .ts itself, so
 * the child's entry file is bundled (rolldown, already present as vitest's bundler) into one .mjs
 * with node builtins and native packages left external.
 */
import { chmod, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const requireFromRepo = createRequire(join(REPO_ROOT, 'package.json'));
const NATIVE = ['better-sqlite3'];

export interface ChildBundle {
  /** The bundled script. */
  file: string;
  /** Removes the bundle's folder. */
  dispose(): Promise<void>;
}

/** Bundles `entry` (a path relative to the repository root) into a temp .mjs a child can run. */
export async function bundleChild(entry: string): Promise<ChildBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'pakt-child-'));
  const file = join(dir, 'child.mjs');
  await build({
    input: join(REPO_ROOT, entry),
    platform: 'node',
    external: [/^node:/],
    plugins: [
      {
        // better-sqlite3 is native and cannot be bundled; the child imports it by absolute path
        // from the repository's node_modules, since the bundle lives in a temp folder.
        name: 'native-by-absolute-path',
        resolveId(id: string) {
          return NATIVE.includes(id) ? { id: requireFromRepo.resolve(id), external: true } : null;
        },
      },
    ],
    write: true,
    output: { file, format: 'esm' },
    logLevel: 'silent',
  });
  // mkdtemp makes the folder private; a child run as another user (permission tests) must read it.
  await chmod(dir, 0o755);
  return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * bundleChild for a child that validates packages: the format module finds schemas/ two folders
 * above its own file (as in the installed package), so the bundle gets that shape,
 * <tmp>/x/y/child.mjs with <tmp>/schemas (a link to the repository's) beside it.
 */
export async function bundleValidatingChild(entry: string): Promise<ChildBundle> {
  const bundle = await bundleChild(entry);
  const dir = dirname(bundle.file);
  await mkdir(join(dir, 'x', 'y'), { recursive: true });
  const file = join(dir, 'x', 'y', 'child.mjs');
  await rename(bundle.file, file);
  await symlink(join(REPO_ROOT, 'schemas'), join(dir, 'schemas'));
  return { file, dispose: bundle.dispose };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a bundled child to completion, collecting its output. */
export function runChild(file: string, args: readonly string[], options: SpawnOptions = {}): Promise<ChildResult> {
  return runProcess(process.execPath, [file, ...args], options);
}

/** Runs any command to completion (e.g. a child under `prlimit`), collecting its output. */
export function runProcess(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts a bundled child that writes forever, waits for its first whole line of output (so a slow
 * start cannot make a crash test vacuous), lets it run for a random while of up to `maxDelayMs`,
 * kills it with SIGKILL and returns what it wrote. The last line may be cut by the kill.
 */
export async function killAtRandomAfterFirstLine(file: string, args: readonly string[], maxDelayMs: number): Promise<string> {
  const proc = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Listened for from the start, so a child that ends before the kill cannot leave us waiting.
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    });
    void exited.then(resolve);
  });
  await new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayMs));
  proc.kill('SIGKILL');
  await exited;
  return out;
}

export { REPO_ROOT };
