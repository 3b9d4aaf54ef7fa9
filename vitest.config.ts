import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Two projects: `unit`, the everyday `npm test` (quick), and `slow`, which only `npm run test:all`
 * (and CI, `.ci/run`) adds: suites named *.slow.test.ts (process kills, a packed install), and the
 * crash suite by name. A suite that needs a service (PostgreSQL, an OCI registry) joins `slow` the
 * same way and reads where the service is from the environment `.ci/run` sets, failing (not
 * skipping) when it is missing there.
 */
const SLOW = ['test/**/*.slow.test.ts', 'test/core/crash.test.ts'];

export default defineConfig({
  // The docs' examples import pakt by name, as a user's project does: here, from the sources.
  resolve: {
    alias: [
      { find: /^pakt$/, replacement: here('./src/index.ts') },
      { find: /^pakt\/conformance$/, replacement: here('./test/conformance/index.ts') },
      { find: /^pakt\/providers$/, replacement: here('./providers/index.ts') },
      { find: /^pakt\/providers\/(.*)$/, replacement: `${here('./providers/')}$1.ts` },
    ],
  },
  test: {
    // Forks, not threads: better-sqlite3 and the crash tests spawn real processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts', 'docs/examples/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
