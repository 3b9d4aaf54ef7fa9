import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Two projects: `unit`, the everyday `npm test` (quick), and `slow`, which only `npm run test:all`
 * (and CI, `.ci/run`) adds: suites named *.slow.test.ts (process kills, a packed install), the
 * crash suites by name, and the suites that start a service of their own (a PostgreSQL server, an
 * OCI registry: seconds of start-up each); those skip where the service is not installed, but fail
 * on CI (`CI` set, as `.ci/run` does).
 */
const SLOW = [
  'test/**/*.slow.test.ts',
  'test/core/crash.test.ts',
  'test/install/crash.test.ts',
  'test/providers/metadata/postgres/*.test.ts',
  'test/providers/storage/oci/{auth,conformance,fault,registry,skopeo,storage}.test.ts',
];

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
