/**
 * Dependency-resolution benchmark (SPEC §6).
 *
 *   npm run --silent bench:resolve -- <case.json>
 *     resolves one case (format: ../shared/data/resolve/README.md) through the real resolver,
 *     the in-memory metadata provider and the semver versioning provider, and prints
 *     {"solution":{...}} or {"error":"<explanation>"} on stdout; exit 0 either way.
 *
 *   npm run bench  (or this script with no argument)
 *     runs every case of ../shared/data/resolve/, checks each answer against the case's `expect`,
 *     times each resolution in-process, and writes the `resolve` section of docs/benchmarks.md.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMemoryMetadata } from '../providers/metadata/memory.js';
import { createSemverVersioning } from '../providers/versioning/semver.js';
import type { VersionRecord, VersioningProvider } from '../src/contracts/index.js';
import { resolveDependencies } from '../src/core/resolution.js';
import { isRegistryError } from '../src/errors.js';
import { SHARED_DATA, machineLine, percentile, table, writeSection } from './lib/report.js';

interface ResolveCase {
  name: string;
  packages: Record<string, Record<string, Record<string, string>>>;
  root: Record<string, string>;
  expect?: { solution: Record<string, string> } | { satisfiable: true } | { error: true; mentions: string[] };
}

type Answer = { solution: Record<string, string> } | { error: string };

/** The case's packages as version records (digest, size and time are placeholders the resolver never reads). */
function records(c: ResolveCase): VersionRecord[] {
  const out: VersionRecord[] = [];
  for (const [name, versions] of Object.entries(c.packages)) {
    for (const [version, dependencies] of Object.entries(versions)) {
      const digest = `sha256:${createHash('sha256').update(`${name}@${version}`).digest('hex')}` as const;
      out.push({
        name,
        version,
        digest,
        size: 0,
        publishedAt: '1970-01-01T00:00:00.000Z',
        metadata: { name, version, dependencies },
      });
    }
  }
  return out;
}

/** Loads the case into a fresh in-memory metadata store and returns a function that resolves it. */
function prepare(c: ResolveCase): { versions: number; run: () => Promise<Answer> } {
  const all = records(c);
  const metadata = createMemoryMetadata({ initial: all });
  const versioning = createSemverVersioning();
  return {
    versions: all.length,
    async run() {
      try {
        const { solution } = await resolveDependencies({ metadata, versioning }, c.root);
        return { solution };
      } catch (err) {
        // Any failure is an answer here (an invalid root range too): the script prints it and exits 0.
        if (isRegistryError(err, 'E_UNSATISFIABLE')) return { error: err.details.explanation ?? err.message };
        if (isRegistryError(err)) return { error: err.message };
        throw err;
      }
    },
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `name` occurs in `text` as a whole word (not as part of a longer package name). */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_./@-])${escapeRegExp(name)}(?![A-Za-z0-9_/-]|\\.[A-Za-z0-9])`).test(text);
}

/**
 * Checks that a solution is valid for the case: every root range and every dependency range of
 * every selected version is satisfied by the selected version, and nothing unrequired is selected.
 */
export function checkSolution(c: ResolveCase, solution: Record<string, string>, versioning: VersioningProvider): string | null {
  const required = new Set<string>();
  const need = (from: string, deps: Record<string, string>): string | null => {
    for (const [dep, range] of Object.entries(deps)) {
      required.add(dep);
      const chosen = solution[dep];
      if (chosen === undefined) return `${from} needs ${dep} ${range}, which is not selected`;
      if (!versioning.satisfies(chosen, range)) return `${from} needs ${dep} ${range}, but ${dep} ${chosen} was selected`;
    }
    return null;
  };
  const rootProblem = need('root', c.root);
  if (rootProblem) return rootProblem;
  for (const [name, version] of Object.entries(solution)) {
    const deps = c.packages[name]?.[version];
    if (deps === undefined) return `${name} ${version} does not exist`;
    const problem = need(`${name} ${version}`, deps);
    if (problem) return problem;
  }
  for (const name of Object.keys(solution)) if (!required.has(name)) return `${name} is selected but nothing requires it`;
  return null;
}

/** Compares an answer with the case's expectation; null when correct, else what is wrong. */
function verdict(c: ResolveCase, answer: Answer, versioning: VersioningProvider): string | null {
  const expect = c.expect;
  if (!expect) return null;
  if ('error' in expect) {
    if (!('error' in answer)) return 'expected an error, got a solution';
    const missing = expect.mentions.filter((m) => !mentions(answer.error, m));
    return missing.length === 0 ? null : `explanation does not name ${missing.join(', ')}`;
  }
  if ('error' in answer) return `expected a solution, got: ${answer.error.split('\n')[0]}`;
  if ('solution' in expect) {
    const want = JSON.stringify(Object.entries(expect.solution).sort());
    const got = JSON.stringify(Object.entries(answer.solution).sort());
    if (want !== got) return `solution differs: got ${got}`;
  }
  return checkSolution(c, answer.solution, versioning);
}

function loadCase(file: string): ResolveCase {
  return JSON.parse(readFileSync(file, 'utf8')) as ResolveCase;
}

/** SPEC §6: one case in, one JSON document out. */
async function single(file: string): Promise<void> {
  let answer: Answer;
  try {
    answer = await prepare(loadCase(file)).run();
  } catch (err) {
    // Still one JSON document and exit 0, as the interface says; the details go to stderr.
    process.stderr.write(`bench:resolve: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}

export async function run(): Promise<void> {
  const dir = path.join(SHARED_DATA, 'resolve');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const versioning = createSemverVersioning();
  const rows: Array<Array<string | number>> = [];
  const loadBefore = os.loadavg()[0]!;
  const times: number[] = [];
  let correct = 0;
  for (const file of files) {
    const c = loadCase(path.join(dir, file));
    const { versions, run: resolveOnce } = prepare(c);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const answer = await resolveOnce();
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // A second run in the same process shows the cost once the JIT has warmed up.
    const again = performance.now();
    await resolveOnce();
    const warmMs = performance.now() - again;
    const problem = verdict(c, answer, versioning);
    if (problem === null) correct++;
    times.push(ms);
    const result = 'error' in answer ? 'error' : `${Object.keys(answer.solution).length} packages`;
    rows.push([c.name, versions, result, problem === null ? 'yes' : `**no**: ${problem}`, ms.toFixed(1), cpuMs.toFixed(0), warmMs.toFixed(1)]);
    process.stderr.write(`${problem === null ? 'ok  ' : 'FAIL'} ${c.name.padEnd(58)} ${String(versions).padStart(6)} versions  ${ms.toFixed(1).padStart(7)} ms${problem ? `  ${problem}` : ''}\n`);
  }
  const slowest = Math.max(...times);
  const summary = `${correct}/${files.length} correct; slowest ${slowest.toFixed(1)} ms, median ${percentile(times, 50).toFixed(1)} ms`;
  process.stderr.write(`resolve: ${summary}\n`);
  writeSection(
    'resolve',
    [
      '## Dependency resolution',
      '',
      'Measured by `npm run bench` (or `node dist/bench/resolve.js`): every case of `../shared/data/resolve/`',
      '(PubGrub documentation examples, RubyGems graphs from Molinillo\'s fixtures, pubgrub-rs\'s large case),',
      'each loaded into the in-memory metadata provider and resolved in-process through the real resolver and',
      'the semver versioning provider. `ms` is the first resolution of the case (cold caches: versions fetched,',
      'ranges evaluated), `warm ms` a second one in the same process. Correct means: exact solution where the',
      'case gives one; otherwise a valid, closed solution; for error cases, an explanation naming every package',
      'the case lists. Goal: all correct, each ≤ 250 ms. `cpu ms` is the process CPU time of the first',
      'resolution (garbage-collector threads included): when the machine is shared, wall time grows with the',
      'load while CPU time shows the work itself.',
      '',
      machineLine(),
      `Load average when the run started: ${loadBefore.toFixed(1)} (on ${os.cpus().length} CPUs).`,
      '',
      `**${summary}.**`,
      '',
      table(['case', 'versions', 'result', 'correct', 'ms', 'cpu ms', 'warm ms'], rows),
    ].join('\n'),
  );
}

const invoked = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  const file = process.argv[2];
  (file ? single(file) : run()).catch((err: unknown) => {
    process.stderr.write(`bench:resolve failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
