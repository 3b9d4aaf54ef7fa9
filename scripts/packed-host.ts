/**
 * What a user of the published package gets, checked in an empty project: pack pakt as npm would,
 * install the tarball, then
 *   1. import every public entry point (`pakt`, `pakt/providers`, each `pakt/providers/...`
 *      module, `pakt/conformance`) with plain Node;
 *   2. run the docs' worked example provider and its test (docs/examples/flat-storage*.ts)
 *      against the installed `pakt/conformance` with vitest;
 *   3. type-check, strictly (`skipLibCheck: false`), a file importing every public entry point and
 *      every name the docs import, against the package's shipped .d.ts.
 *
 * Two ways to install: `link` (offline and quick: the tarball is unpacked into node_modules/pakt
 * and its dependencies linked from this repository's node_modules, devDependencies left out, as
 * a user's install would) for the test suite; `install` (`npm install <tarball>` from the npm
 * registry, install scripts off: no native build is needed for any of it) for CI.
 *
 *   node dist/scripts/packed-host.js --install [--keep]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository: one folder up from scripts/, two from dist/scripts/. */
export const REPO = path.basename(path.dirname(HERE)) === 'dist' ? path.resolve(HERE, '..', '..') : path.resolve(HERE, '..');

export interface PackedHostOptions {
  mode: 'link' | 'install';
  /** Leave the work folder in place (and print where). */
  keep?: boolean;
  /** Where progress goes (default: nowhere). */
  log?: (line: string) => void;
}

export interface PackedHostResult {
  /** Files in the tarball, without the leading `package/`. */
  files: string[];
  /** Every entry point imported in step 1. */
  entryPoints: string[];
  /** vitest's summary of step 2. */
  exampleRun: string;
  work: string;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  exports: Record<string, unknown>;
}

const pkgJson = (): PackageJson => JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as PackageJson;

function run(command: string, args: readonly string[], cwd: string, log?: (line: string) => void): string {
  log?.(`$ ${[command, ...args].join(' ')}  (in ${cwd})`);
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${[command, ...args].join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`);
  }
}

const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const vitest = path.join(REPO, 'node_modules', 'vitest', 'vitest.mjs');

/** Builds a clean copy of the package (what `npm pack` would ship) and packs it into `work`. */
function pack(work: string, log?: (line: string) => void): string {
  const staging = path.join(work, 'staging');
  mkdirSync(staging, { recursive: true });
  run(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.json'), '--outDir', path.join(staging, 'dist')], REPO, log);
  for (const item of ['package.json', 'README.md', 'LICENSE', 'schemas', 'docs']) cpSync(path.join(REPO, item), path.join(staging, item), { recursive: true });
  // The build is fresh already; prepack would only build it again.
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], staging, log);
  const packed = JSON.parse(out) as Array<{ filename: string }>;
  return path.join(work, packed[0]!.filename);
}

/** Whether `pakt/<sub>` resolves by the exports map, as Node decides: an exact key, else the pattern with the longest prefix (a null target blocks). */
function isExported(sub: string, exports: Record<string, unknown>): boolean {
  const key = `./${sub}`;
  if (Object.hasOwn(exports, key)) return exports[key] !== null;
  let best: { prefix: number; target: unknown } | undefined;
  for (const [pattern, target] of Object.entries(exports)) {
    const star = pattern.indexOf('*');
    if (star === -1) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (key.length >= pattern.length - 1 && key.startsWith(prefix) && key.endsWith(suffix) && (!best || prefix.length > best.prefix)) best = { prefix: prefix.length, target };
  }
  return best !== undefined && best.target !== null;
}

/** `pakt`, `pakt/providers`, every module `./providers/*` exports, `pakt/conformance`. */
function entryPoints(installed: string): string[] {
  const exports = pkgJson().exports;
  const providers = readdirSync(path.join(installed, 'dist', 'providers'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => `providers/${f.slice(0, -3)}`)
    .filter((f) => isExported(f, exports));
  return ['pakt', 'pakt/providers', ...providers.map((p) => `pakt/${p}`), 'pakt/conformance'];
}

/** The import statements of the docs' TypeScript blocks, as one file (types included). */
function docsImports(): string {
  const lines: string[] = [];
  const docs = ['README.md', ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  let n = 0;
  for (const doc of docs) {
    const text = readFileSync(path.join(REPO, doc), 'utf8');
    for (const block of text.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
      for (const m of block[1]!.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(pakt[^']*)'/g)) {
        const names = m[2]!.split(',').map((x) => x.trim().replace(/^type\s+/, '')).filter(Boolean);
        // Renamed per statement, so that two docs importing one name do not collide.
        lines.push(`import type { ${names.map((x) => `${x} as ${x}_${n}`).join(', ')} } from '${m[3]}'; // ${doc}`);
        n++;
      }
    }
  }
  return lines.join('\n') + '\n';
}

function linkDependencies(host: string, installed: string): void {
  const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as PackageJson;
  // What a user's install provides: pakt's dependencies; and what the host itself chose to
  // install: vitest, typescript and @types/node. None of pakt's devDependencies.
  for (const dep of [...Object.keys(pkg.dependencies), 'vitest', 'typescript', '@types/node']) {
    const target = path.join(host, 'node_modules', dep);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules', dep), target, 'dir');
  }
}

export function checkPackedHost(options: PackedHostOptions): PackedHostResult {
  const log = options.log;
  const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-packed-host-'));
  try {
    const tarball = pack(work, log);
    const files = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    const host = path.join(work, 'host');
    mkdirSync(host);
    writeFileSync(path.join(host, 'package.json'), JSON.stringify({ name: 'pakt-host', version: '1.0.0', private: true, type: 'module' }, null, 2));
    const installed = path.join(host, 'node_modules', 'pakt');
    if (options.mode === 'install') {
      const vitestVersion = pkgJson().devDependencies['vitest']!;
      const tsVersion = pkgJson().devDependencies['typescript']!;
      const nodeTypes = pkgJson().devDependencies['@types/node']!;
      run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball, `vitest@${vitestVersion}`, `typescript@${tsVersion}`, `@types/node@${nodeTypes}`], host, log);
    } else {
      mkdirSync(installed, { recursive: true });
      run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], work);
      linkDependencies(host, installed);
    }

    // 1. Every entry point loads with plain Node.
    const points = entryPoints(installed);
    writeFileSync(path.join(host, 'load-all.mjs'), `${points.map((p, i) => `import * as m${i} from '${p}';`).join('\n')}\nconsole.log(${points.length});\n`);
    run(process.execPath, ['load-all.mjs'], host, log);

    // 2. The worked example and its test, against the installed pakt/conformance.
    for (const f of ['flat-storage.ts', 'flat-storage.test.ts']) cpSync(path.join(REPO, 'docs', 'examples', f), path.join(host, f));
    const hostVitest = options.mode === 'install' ? path.join(host, 'node_modules', 'vitest', 'vitest.mjs') : vitest;
    const exampleRun = run(process.execPath, [hostVitest, 'run', '--root', host], host, log);

    // 3. A strict type-check of every entry point and every name the docs import.
    writeFileSync(path.join(host, 'public-api.ts'), `${points.map((p, i) => `import * as m${i} from '${p}';`).join('\n')}\nexport const modules = [${points.map((_, i) => `m${i}`).join(', ')}];\n`);
    writeFileSync(path.join(host, 'docs-imports.ts'), docsImports());
    writeFileSync(
      path.join(host, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'], noUnusedLocals: false }, include: ['*.ts'] }, null, 2),
    );
    const hostTsc = options.mode === 'install' ? path.join(host, 'node_modules', 'typescript', 'bin', 'tsc') : tsc;
    run(process.execPath, [hostTsc, '-p', path.join(host, 'tsconfig.json')], host, log);
    return { files, entryPoints: points, exampleRun, work };
  } finally {
    if (options.keep) log?.(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mode = process.argv.includes('--install') ? 'install' : 'link';
  try {
    const r = checkPackedHost({ mode, keep: process.argv.includes('--keep'), log: (line) => process.stderr.write(`${line}\n`) });
    process.stderr.write(`packed host (${mode}): ${r.files.length} files packed, ${r.entryPoints.length} entry points loaded and type-checked strictly, worked example passed\n`);
  } catch (err) {
    process.stderr.write(`packed host (${mode}): ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
