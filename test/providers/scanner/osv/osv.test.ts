import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeScannerConformance } from '../../../conformance/scanner.suite.js';
import type { ScannerProvider } from '../../../../src/contracts/index.js';
import { createOsvScanner, type OsvScanner } from '../../../../providers/scanner/osv/index.js';

await describeScannerConformance<OsvScanner>({
  name: 'osv (SQLite)',
  create: () => createOsvScanner({ path: path.join(mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-conf-')), 'advisories.db'), synchronous: 'normal' }),
  reopen: (s) => createOsvScanner({ path: s.file, synchronous: 'normal' }),
  cleanup: (s) => rmSync(path.dirname(s.file), { recursive: true, force: true }),
});

/** A read-only feed: the OSV scanner behind an adapter without importRecords, fed through `load`. */
type Feed = ScannerProvider & { inner: OsvScanner };
function feed(): Feed {
  const inner = createOsvScanner({ path: path.join(mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-feed-')), 'advisories.db'), synchronous: 'normal' });
  return {
    info: { ...inner.info, name: 'read-only feed' },
    capabilities: inner.capabilities,
    status: () => inner.status(),
    affecting: (name, versions) => inner.affecting(name, versions),
    affectedNames: () => inner.affectedNames(),
    close: () => inner.close(),
    inner,
  };
}

await describeScannerConformance<Feed>({
  name: 'a read-only feed (records served, no importRecords)',
  create: feed,
  load: async (s, records) => {
    await s.inner.importRecords(records, { importedAt: '2024-06-01T00:00:00.000Z' });
  },
  cleanup: (s) => rmSync(path.dirname(s.inner.file), { recursive: true, force: true }),
});
