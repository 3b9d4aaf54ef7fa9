/**
 * The startup check of explicit wiring: every required provider is present, says it belongs to
 * the family it is plugged in as, was written for this core (semver on info.coreRange), and has
 * the methods of its contract. A provider that does not fit fails loudly here, with a coded error,
 * instead of half-working later (the Verdaccio loader logs and skips; we refuse).
 */
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { CORE_VERSION, type ProviderFamily } from '../contracts/index.js';
import { RegistryError } from '../errors.js';

const REQUIRED_METHODS: Record<ProviderFamily, readonly string[]> = {
  metadata: ['insertVersion', 'getVersion', 'listVersions', 'listPackageNames', 'allVersions', 'deleteVersion', 'isDigestReferenced', 'addDownloads', 'getDownloads'],
  storage: ['put', 'get', 'stat', 'delete', 'list', 'quarantine'],
  versioning: ['isValidVersion', 'isValidRange', 'normalizeRange', 'compare', 'satisfies', 'maxSatisfying', 'latest', 'isPrerelease'],
  validation: ['validateFile'],
  search: ['upsert', 'remove', 'rebuild', 'setDownloads', 'size', 'search'],
  audit: ['record'],
  scanner: ['status', 'affecting'],
};

/** Throws E_PROVIDER_MISSING or E_PROVIDER_INCOMPATIBLE unless `provider` fits `family`. */
export function checkProvider(family: ProviderFamily, provider: unknown, slot: string = family): void {
  if (provider === undefined || provider === null) {
    throw new RegistryError('E_PROVIDER_MISSING', `CoreRegistryManager needs a ${family} provider (option '${slot}'), got ${String(provider)}`, { path: slot });
  }
  const info = (provider as { info?: { name?: unknown; family?: unknown; coreRange?: unknown } }).info;
  const label = typeof info?.name === 'string' ? `${family} provider '${info.name}'` : `the ${family} provider`;
  if (!info || typeof info !== 'object') {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `${label} (option '${slot}') has no info { name, family, coreRange }`, { path: slot });
  }
  if (info.family !== family) {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `${label} was given as option '${slot}' but declares family '${String(info.family)}'`, { path: slot, expected: family, found: info.family });
  }
  const range = typeof info.coreRange === 'string' ? info.coreRange : '';
  if (validRange(range) === null || !satisfies(CORE_VERSION, range)) {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `${label} was written for pakt core ${range === '' ? '(no coreRange)' : `'${range}'`}, but this core is ${CORE_VERSION}`, { path: slot, expected: CORE_VERSION, found: info.coreRange });
  }
  const missing = REQUIRED_METHODS[family].filter((m) => typeof (provider as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `${label} lacks method${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of the ${family} contract`, { path: slot, found: missing });
  }
}
