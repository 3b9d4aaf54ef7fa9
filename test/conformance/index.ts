/**
 * The provider conformance suites, one per family, for third parties to run against their own
 * providers (published as `pakt/conformance`). Each suite is a function that declares vitest
 * cases; call it at the top level of a test file with `await`. They need vitest (a peer
 * dependency of pakt: install it in the project that runs them) and nothing else outside pakt.
 */
export { expectCode } from './expect-code.js';
export { CASE_TIMEOUT_MS } from './harness.js';
export { describeMetadataConformance, sampleRecord, type MetadataConformanceOptions } from './metadata.suite.js';
export { describeStorageConformance, ownerFor, readBlob, type StorageConformanceOptions } from './storage.suite.js';
export { describeSearchConformance, type SearchConformanceOptions } from './search.suite.js';
export { describeAuditConformance, type AuditConformanceOptions } from './audit.suite.js';
export { describeValidationConformance, zipOf, packageEntries, type ValidationConformanceOptions } from './validation.suite.js';
export { describeVersioningConformance, SEMVER_SAMPLES, type VersioningConformanceOptions, type VersioningSamples } from './versioning.suite.js';
export { describeScannerConformance, osvRecord, type ScannerConformanceOptions } from './scanner.suite.js';
