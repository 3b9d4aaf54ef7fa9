/**
 * `npm run demo`: a working registry in under a minute, through the `pakt` command line.
 *
 * Creates a store in ./.pakt, writes a few example package folders into a temp folder, packs and
 * publishes them, searches (typos included), shows info and versions, resolves dependencies,
 * downloads one (verified against its digest) and verifies the whole store. Running it again is
 * harmless: identical packages republish as "unchanged". Only ./.pakt stays behind.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/cli/commands/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '..', 'src', 'cli', 'main.js');
const cwd = process.cwd();
const STORE = '.pakt';

interface Example {
  metadata: Record<string, unknown>;
  files: Record<string, string>;
}

const EXAMPLES: Example[] = [
  {
    metadata: { name: 'yaml-lite', version: '1.0.0', description: 'A small YAML parser and serializer', author: 'Ana Lima', license: 'MIT', tags: ['yaml', 'parser'] },
    files: { 'README.md': '# yaml-lite\nParse YAML into plain objects.\n', 'lib/parse.js': 'export function parse(text) { return text.split("\\n"); }\n' },
  },
  {
    metadata: { name: 'yaml-lite', version: '1.1.0', description: 'A small YAML parser and serializer, now with anchors', author: 'Ana Lima', license: 'MIT', tags: ['yaml', 'parser'] },
    files: { 'README.md': '# yaml-lite\nParse YAML into plain objects, anchors included.\n', 'lib/parse.js': 'export function parse(text) { return text.split("\\n"); }\nexport const anchors = true;\n' },
  },
  {
    metadata: { name: 'csv-tools', version: '2.0.0', description: 'Read and write CSV files; converts to YAML', author: 'Ben Okafor', license: 'Apache-2.0', tags: ['csv'], dependencies: { 'yaml-lite': '^1.0.0' } },
    files: { 'README.md': '# csv-tools\n', 'lib/csv.js': 'export const sep = ",";\n' },
  },
  {
    metadata: { name: '@acme/report-agent', version: '0.3.0', description: 'An agent plugin that builds weekly reports from CSV exports', author: 'Acme', tags: ['agent'], capabilities: ['report.generate', 'csv.read'], dependencies: { 'csv-tools': '>=2.0.0,<3.0.0' } },
    files: { 'README.md': '# report-agent\n', 'plugin.json': '{"entry":"index.js"}\n', 'index.js': 'export default {};\n' },
  },
];

/** Runs one `pakt` command in the demo's work folder against ./.pakt, echoing it and its output. */
function runPakt(work: string, args: string[]): void {
  process.stdout.write(`\n\x1b[1m$ pakt ${args.join(' ')}\x1b[0m\n`);
  const r = spawnSync(process.execPath, [CLI, '--store', path.resolve(cwd, STORE), ...args], { cwd: work, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stdout.write(r.stderr);
  if (r.status !== 0) throw new Error(`\`pakt ${args.join(' ')}\` exited with ${String(r.status)}`);
}

function main(): void {
  const started = Date.now();
  process.stdout.write(`pakt demo: a registry in ${path.join(cwd, STORE)}\n`);
  const WORK = mkdtempSync(path.join(os.tmpdir(), 'pakt-demo-'));
  try {
    run(WORK);
  } catch (err) {
    process.stderr.write(`\ndemo stopped: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return;
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
  process.stdout.write(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. The store is ${STORE}/; explore it with \`npm run --silent pakt -- <command>\` (try \`npm run --silent pakt -- --help\`).\n`);
}

function run(WORK: string): void {
  const pakt = (args: string[]): void => runPakt(WORK, args);
  const dist = 'dist';
  mkdirSync(path.join(WORK, dist), { recursive: true });

  pakt(['init']);
  for (const ex of EXAMPLES) {
    const name = String(ex.metadata['name']);
    const dir = path.join('src', `${name.replace(/^@/, '').replace(/\//g, '-')}-${String(ex.metadata['version'])}`);
    const abs = path.join(WORK, dir);
    mkdirSync(abs, { recursive: true });
    writeFileSync(path.join(abs, 'metadata.json'), JSON.stringify(ex.metadata, null, 2) + '\n');
    for (const [file, text] of Object.entries(ex.files)) {
      mkdirSync(path.dirname(path.join(abs, file)), { recursive: true });
      writeFileSync(path.join(abs, file), text);
    }
    pakt(['pack', dir, '-o', path.join(dist, `${path.basename(dir)}.zip`)]);
  }
  pakt(['publish', dist]);
  if ('search' in COMMANDS) {
    pakt(['search', 'yaml']);
    pakt(['search', 'csv-tols']); // a typo in the name
    pakt(['search', 'yml parser']); // words from descriptions, one misspelt
    pakt(['search', 'report', '--capability', 'csv.read']);
  }
  pakt(['info', 'csv-tools']);
  pakt(['versions', 'yaml-lite']);
  if ('resolve' in COMMANDS) pakt(['resolve', '@acme/report-agent@^0.3.0']);
  if ('tree' in COMMANDS) pakt(['tree', '@acme/report-agent@^0.3.0']);
  pakt(['download', 'yaml-lite', '^1.0.0', '-o', 'yaml-lite.zip']);
  pakt(['verify']);
}

main();
