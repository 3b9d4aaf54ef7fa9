/**
 * The suites keep "unsupported" apart from "failed": a provider without a capability passes,
 * with the cases that need it reported as skipped ("unsupported: ... absent"), as docs/providers.md
 * promises. Each provider here lacks one capability for real; a case that still ran would fail.
 */
import { createFuseSearch } from '../../providers/search/fuse.js';
import { createMemoryAudit } from '../helpers/memory-audit.js';
import { describeAuditConformance } from '../conformance/audit.suite.js';
import { describeSearchConformance } from '../conformance/search.suite.js';

await describeSearchConformance({
  name: 'fuse without typo tolerance (threshold 0: exact substrings only)',
  create: (options) => {
    const inner = createFuseSearch({ ...options, threshold: 0 });
    return { ...inner, capabilities: { ...inner.capabilities, typoTolerant: false } };
  },
});

// A sink with no close() and no way to read its records back.
await describeAuditConformance({ name: 'write-only sink without close()', create: () => createMemoryAudit({ close: false }) });

// The same sink with close() and its records readable passes every case.
await describeAuditConformance({ name: 'memory sink (test helper)', create: () => createMemoryAudit(), read: (s) => s.records });
