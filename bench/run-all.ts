/**
 * `npm run bench`: every benchmark in turn, each refreshing its own section of docs/benchmarks.md.
 * They run one after another, never together, so they do not compete for the two cores.
 * `npm run bench -- validate search` runs only the named ones.
 */
import { run as runValidate } from './validate.js';
import { run as runPublish } from './publish.js';
import { run as runSearch } from './search.js';
import { run as runResolve } from './resolve.js';
import { run as runOci } from './oci.js';
import { run as runPostgres } from './postgres.js';
import { run as runInstall } from './install.js';
import { run as runScan } from './scan.js';
import { run as runHostile } from './hostile.js';
import { run as runUpstream } from './upstream.js';

const BENCHES: ReadonlyArray<[string, () => Promise<void>]> = [
  ['validate', () => runValidate()],
  ['publish', () => runPublish([])],
  ['search', () => runSearch()],
  ['resolve', () => runResolve()],
  ['oci', () => runOci([])],
  ['postgres', () => runPostgres([])],
  ['install', () => runInstall([])],
  ['scan', () => runScan([])],
  ['hostile', () => runHostile()],
  ['upstream', () => runUpstream([])],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !BENCHES.some(([n]) => n === name));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map(([n]) => n).join(', ')}`);
  for (const [name, run] of BENCHES) {
    if (only.length > 0 && !only.includes(name)) continue;
    const t0 = performance.now();
    process.stderr.write(`\n=== bench ${name} ===\n`);
    await run();
    process.stderr.write(`=== bench ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s ===\n`);
  }
  process.stderr.write('\nwrote docs/benchmarks.md\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
