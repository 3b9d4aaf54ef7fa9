/**
 * What every provider carries, whatever its family. The manager checks `family` and `coreRange`
 * at construction and refuses a provider that does not fit (E_PROVIDER_INCOMPATIBLE).
 */
export type ProviderFamily = 'metadata' | 'storage' | 'versioning' | 'validation' | 'search' | 'audit' | 'scanner';

export interface ProviderInfo {
  /** Implementation name, e.g. `sqlite`, `fs-cas`, `memory`. */
  readonly name: string;
  readonly family: ProviderFamily;
  /** node-semver range of pakt core versions this provider was written for, e.g. `^0.1.0`. */
  readonly coreRange: string;
}

export interface Provider {
  readonly info: ProviderInfo;
  /** Releases handles (database, files). Called once by the manager's close(); must be idempotent. */
  close?(): Promise<void> | void;
}

/** The version of the provider contracts; providers name it in their coreRange. */
export const CORE_VERSION = '0.1.0';
