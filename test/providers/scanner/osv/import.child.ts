/**
 * Child process for osv-store.test.ts.
 *
 * import-forever <db> <round> <batch>: imports batches of <batch> new records, ids
 *   crash-<round>-<n>-<i>, for n = 0, 1, ... until killed, printing {"batch": n} after each
 *   import resolves (so the parent knows which imports were acknowledged).
 */
import { createOsvScanner } from '../../../../providers/scanner/osv/index.js';
import type { OsvRecord } from '../../../../src/contracts/index.js';

const [mode, path, round, batchText] = process.argv.slice(2);
const batch = Number(batchText);

function* records(n: number): Generator<OsvRecord> {
  for (let i = 0; i < batch; i++) {
    yield {
      id: `crash-${round}-${n}-${i}`,
      modified: '2024-01-01T00:00:00Z',
      database_specific: { severity: 'HIGH' },
      affected: [{ package: { ecosystem: 'npm', name: `pkg-${i % 50}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: `${n + 1}.0.0` }] }] }],
    } as OsvRecord;
  }
}

if (mode === 'import-forever') {
  const scanner = createOsvScanner({ path: path!, busyTimeoutMs: 20_000 });
  for (let n = 0; ; n++) {
    await scanner.importRecords(records(n), { importedAt: new Date().toISOString() });
    process.stdout.write(`${JSON.stringify({ batch: n })}\n`);
  }
}
