/**
 * Child process for the install crash test: real installs, upgrades and removes in its own OS
 * process, forever, until the test kills it.
 *   loop <store> <into> <seed>   random operations on <into>; prints {"started":true} once ready,
 *                                then one line per finished operation
 *   rss <store> <into> <small> <large>   installs <small>, then <large>; prints the peak RSS (MB)
 *                                after each, so the second shows what the large one added
 *   flip <store> <into> <n>      installs flip-0 … flip-<n-1> at =1.0.0, then all at =2.0.0, and
 *                                back, forever: every commit moves n folders
 */
import { readFileSync } from 'node:fs';
import { openRegistry } from '../../providers/index.js';
import { isRegistryError } from '../../src/errors.js';

const [mode, store, into, seedText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const RANGES: Record<string, readonly string[]> = {
  'app-a': ['1.0.0', '^1.0.0', '^2.0.0', 'latest'],
  'app-b': ['^1.0.0', '^2.0.0'],
  'lib-x': ['^1.0.0', '~1.0.0', '^2.0.0'],
  '@s/util': ['1.0.0', '^1.0.0'],
};
// Refusals a random sequence is bound to meet; anything else is a failure of the test. With two
// loops on one folder, the requirement a loop listed may be gone when its remove runs: the other
// removed it, and it went (E_INSTALL_NOT_INSTALLED) or stayed as another package's dependency
// (E_INSTALL_STILL_NEEDED).
const EXPECTED = new Set(['E_UNSATISFIABLE', 'E_INSTALL_NOT_INSTALLED', 'E_INSTALL_STILL_NEEDED', 'E_LOCK_MISSING']);

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

if (mode === 'rss') {
  const registry = await openRegistry({ path: store!, create: false, audit: false });
  const [small, large] = process.argv.slice(5);
  await registry.install({ into: into!, requirements: [small!] });
  const before = peakRssMb();
  await registry.install({ into: into!, requirements: [large!] });
  process.stdout.write(`${JSON.stringify({ before, after: peakRssMb() })}\n`);
  await registry.close();
  process.exit(0);
}
if (mode === 'flip') {
  const registry = await openRegistry({ path: store!, create: false, actor: `child-${process.pid}` });
  const n = Number(seedText);
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
  for (let round = 0; ; round++) {
    const version = round % 2 === 0 ? '=1.0.0' : '=2.0.0';
    await registry.install({ into: into!, requirements: Object.fromEntries(Array.from({ length: n }, (_, i) => [`flip-${i}`, version])) });
    process.stdout.write(`${JSON.stringify({ done: round })}\n`);
  }
}
if (mode !== 'loop') {
  process.stdout.write(`${JSON.stringify({ unexpected: `unknown mode ${String(mode)}` })}\n`);
  process.exit(2);
}
const registry = await openRegistry({ path: store!, create: false, actor: `child-${process.pid}` });
process.stdout.write(`${JSON.stringify({ started: true })}\n`);
for (;;) {
  const r = random();
  try {
    if (r < 0.55) {
      const names = Object.keys(RANGES).filter(() => random() < 0.5);
      const requirements = Object.fromEntries((names.length > 0 ? names : ['app-a']).map((n) => [n, pick(RANGES[n]!)]));
      await registry.install({ into: into!, requirements });
    } else if (r < 0.75) {
      await registry.upgradeInstalled({ into: into!, all: true });
    } else {
      const list = await registry.listInstalled(into!);
      const required = Object.keys(list.requirements);
      if (required.length > 0) await registry.removeInstalled({ into: into!, packages: [pick(required)] });
    }
    process.stdout.write(`${JSON.stringify({ done: r })}\n`);
  } catch (err) {
    if (!isRegistryError(err) || !EXPECTED.has(err.code)) {
      process.stdout.write(`${JSON.stringify({ unexpected: String(err), code: isRegistryError(err) ? err.code : undefined, stack: (err as Error).stack })}\n`);
      process.exit(3);
    }
  }
}
