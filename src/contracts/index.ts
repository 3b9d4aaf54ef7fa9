/** The provider contracts: types and capability flags only, no implementation. */
export * from './provider.js';
export * from './package.js';
export * from './metadata.js';
export * from './documents.js';
export * from './storage.js';
export * from './versioning.js';
export * from './validation.js';
export * from './search.js';
export * from './audit.js';
export * from './scanner.js';
