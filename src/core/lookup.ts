/**
 * Finding the version a caller means: an exact version, a range (node-semver or comma form), or
 * `latest`. One place, so info, download and delete agree on what `^1.0.0` picks.
 */
import type { VersionRecord, VersioningProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { isLatestTag, isValidName } from '../package/name-version.js';
import type { CoreContext } from './context.js';

export function assertName(name: unknown): asserts name is string {
  if (!isValidName(name)) {
    const shown = typeof name === 'string' ? `'${name.slice(0, 80)}'` : String(name);
    throw new RegistryError('E_PKG_NAME_INVALID', `package name ${shown} is not a valid name: lowercase letters, digits, '.', '_', '-', optionally '@scope/', at most 214 characters`, { found: typeof name === 'string' ? name.slice(0, 80) : String(name) });
  }
}

/** Highest first, by the versioning provider's precedence. */
export function sortHighestFirst(records: VersionRecord[], versioning: VersioningProvider): VersionRecord[] {
  return records.sort((a, b) => versioning.compare(b.version, a.version));
}

/**
 * What `latest` means: the highest non-prerelease version; when every version is a prerelease,
 * the highest prerelease (a package published only as 1.0.0-beta.1 still has a latest).
 */
export function pickLatest(records: readonly VersionRecord[], versioning: VersioningProvider): VersionRecord | undefined {
  const stable = versioning.latest(records.map((r) => r.version));
  if (stable !== null) return records.find((r) => r.version === stable);
  let best: VersionRecord | undefined;
  for (const r of records) if (best === undefined || versioning.compare(r.version, best.version) > 0) best = r;
  return best;
}

/** The record of `name` at `versionOrRange`; E_PACKAGE_NOT_FOUND / E_VERSION_NOT_FOUND otherwise. */
export async function findVersion(ctx: CoreContext, name: string, versionOrRange: string = 'latest'): Promise<VersionRecord> {
  assertName(name);
  const { metadata, versioning } = ctx;
  // Fast path: an exact version is one indexed lookup, not a scan of every version.
  if (versioning.isValidVersion(versionOrRange)) {
    const record = await metadata.getVersion(name, versionOrRange);
    if (record) return record;
  } else if (!isLatestTag(versionOrRange) && !versioning.isValidRange(versionOrRange)) {
    throw new RegistryError('E_PKG_RANGE_INVALID', `'${versionOrRange.slice(0, 80)}' is neither a version, a range nor 'latest'`, { found: versionOrRange.slice(0, 80) });
  }
  const records = await metadata.listVersions(name);
  if (records.length === 0) {
    throw new RegistryError('E_PACKAGE_NOT_FOUND', `package '${name}' is not in the registry`, { name });
  }
  const picked = isLatestTag(versionOrRange)
    ? pickLatest(records, versioning)
    : pickInRange(records, versionOrRange, versioning);
  if (!picked) {
    const published = sortHighestFirst(records, versioning).slice(0, 10).map((r) => r.version);
    throw new RegistryError(
      'E_VERSION_NOT_FOUND',
      `no version of '${name}' matches '${versionOrRange}'; published: ${published.join(', ')}${records.length > 10 ? `, ... (${records.length} in all)` : ''}`,
      { name, expected: versionOrRange, found: published },
    );
  }
  return picked;
}

function pickInRange(records: readonly VersionRecord[], range: string, versioning: VersioningProvider): VersionRecord | undefined {
  const best = versioning.maxSatisfying(records.map((r) => r.version), range);
  return best === null ? undefined : records.find((r) => r.version === best);
}
