import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeScannerConformance } from '../../../conformance/scanner.suite.js';
import { createOsvScanner, type OsvScanner } from '../../../../providers/scanner/osv/index.js';

await describeScannerConformance<OsvScanner>({
  name: 'osv (SQLite)',
  create: () => createOsvScanner({ path: path.join(mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-conf-')), 'advisories.db'), synchronous: 'normal' }),
  reopen: (s) => createOsvScanner({ path: s.file, synchronous: 'normal' }),
  cleanup: (s) => rmSync(path.dirname(s.file), { recursive: true, force: true }),
});
