/**
 * pakt: an embeddable package registry for ZIP packages. The public surface:
 *
 *   import { openRegistry } from 'pakt';
 *   const registry = await openRegistry({ path: './.pakt' });
 *   await registry.publishPackage('left-pad-1.0.0.zip');
 *
 * openRegistry is re-exported from providers/index.ts, the composition root: this is the one place
 * src/ reaches the default implementations. Everything else here is the core, its contracts and
 * the package format's tools.
 */
export { openRegistry, defaultProviders, isStore, type OpenRegistryOptions, type DefaultProviderOptions, type DefaultProviders } from '../providers/index.js';
export { defaultScanner, ADVISORIES_FILE } from '../providers/index.js';
export { CoreRegistryManager } from './core/registry-manager.js';
export type * from './core/types.js';
export type * from './resolve/types.js';
export type * from './install/types.js';
export { listInstalled, LOCKFILE_NAME, parseLockfile, serializeLockfile, portablePathProblems, isPortablePath, type Lockfile, type LockedPackage, type PortableProblem, type PortableRule } from './install/index.js';
export * from './contracts/index.js';
export * from './scan/index.js';
export { RegistryError, ERROR_CATALOGUE, isRegistryError, isErrorCode, toRegistryError, type DetailsOf, type ErrorCode, type ErrorDetails, type ErrorDetailsByCode, type ErrorSpec } from './errors.js';
export { DEFAULT_LIMITS, resolveLimits, SMALL_ARCHIVE_BYTES, type Limits } from './limits.js';
// The package format's tools (docs/package-format.md): pack a folder, build an archive from memory.
export { packDirectory, buildPackage, defaultArchiveName, type PackResult, type PackOptions, type BuildPackageInput, type BuildPackageOptions } from './package/pack.js';

// Upstreams, the pull-through cache and the remote client (docs/upstreams.md).
export { UpstreamRegistry, UpstreamSet, type GcCachedOptions, type GcCachedResult, type UpstreamConfig, type UpstreamEvents, type UpstreamSource, type UpstreamStats } from './upstream/index.js';
export { RemoteRegistry, type RemoteRegistryOptions } from './remote/index.js';
