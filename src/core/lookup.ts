/**
 * Finding the version a caller means: an exact version, a range (node-semver or comma form), or
 * `latest`. One place, so info, download and delete agree on what `^1.0.0` picks.
 */
import type { VersionRecord, VersioningProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { nameProblem, quoted, rangeProblem } from '../package/identity.js';
import { isLatestTag } from '../package/name-version.js';
import type { Limits } from '../limits.js';
import type { CoreContext } from './context.js';

/** Refuses what is not a package name (E_PKG_NAME_INVALID), by the same rule as publish. */
export function assertName(name: unknown, limits: Pick<Limits, 'maxNameChars'>): asserts name is string {
  const problem = nameProblem(name, limits);
  if (problem) throw new RegistryError('E_PKG_NAME_INVALID', `package name ${quoted(name)} ${problem}`, { found: typeof name === 'string' ? name.slice(0, 80) : String(name) });
}

/** Highest first, by the versioning provider's precedence. */
export function sortHighestFirst(records: VersionRecord[], versioning: VersioningProvider): VersionRecord[] {
  return records.sort((a, b) => versioning.compare(b.version, a.version));
}

/**
 * What `latest` means: the highest non-prerelease version; when every version is a prerelease,
 * the highest prerelease (a package published only as 1.0.0-beta.1 still has a latest).
 */
export function latestOf(versions: readonly string[], versioning: VersioningProvider): string | undefined {
  const stable = versioning.latest(versions);
  if (stable !== null) return stable;
  let best: string | undefined;
  for (const v of versions) if (best === undefined || versioning.compare(v, best) > 0) best = v;
  return best;
}

export function pickLatest(records: readonly VersionRecord[], versioning: VersioningProvider): VersionRecord | undefined {
  const latest = latestOf(records.map((r) => r.version), versioning);
  return latest === undefined ? undefined : records.find((r) => r.version === latest);
}

/**
 * The version strings of `name`, from the provider's cheap listing when it has one (no record is
 * read: a package of 2,000 versions would otherwise cost 2,000 metadata.json parses per lookup).
 */
async function versionNumbers(ctx: CoreContext, name: string): Promise<string[] | undefined> {
  return ctx.metadata.listVersionNumbers ? ctx.metadata.listVersionNumbers(name) : undefined;
}

/** The record of the latest version of `name`, or undefined when it has none. */
export async function latestRecord(ctx: CoreContext, name: string): Promise<VersionRecord | undefined> {
  const versions = await versionNumbers(ctx, name);
  if (versions) {
    const latest = latestOf(versions, ctx.versioning);
    if (latest === undefined) return undefined;
    const record = await ctx.metadata.getVersion(name, latest);
    if (record) return record;
    // Deleted between the two reads: answer from one consistent listing instead.
  }
  return pickLatest(await ctx.metadata.listVersions(name), ctx.versioning);
}

/** The record of `name` at `versionOrRange`; E_PACKAGE_NOT_FOUND / E_VERSION_NOT_FOUND otherwise. */
export async function findVersion(ctx: CoreContext, name: string, versionOrRange: string = 'latest'): Promise<VersionRecord> {
  assertName(name, ctx.limits);
  const { metadata, versioning } = ctx;
  // Fast path: an exact version is one indexed lookup, not a scan of every version.
  if (typeof versionOrRange === 'string' && versionOrRange.length <= ctx.limits.maxVersionChars && versioning.isValidVersion(versionOrRange)) {
    const record = await metadata.getVersion(name, versionOrRange);
    if (record) return record;
  } else if (!isLatestTag(versionOrRange)) {
    const problem = rangeProblem(versionOrRange, versioning, ctx.limits);
    if (problem) throw new RegistryError('E_PKG_RANGE_INVALID', `${quoted(versionOrRange)} is neither a version nor 'latest', and it ${problem}`, { found: String(versionOrRange).slice(0, 80) });
  }
  const pick = (versions: readonly string[]): string | undefined =>
    isLatestTag(versionOrRange) ? latestOf(versions, versioning) : (versioning.maxSatisfying(versions, versionOrRange) ?? undefined);
  const numbers = await versionNumbers(ctx, name);
  if (numbers) {
    if (numbers.length === 0) throw packageNotFound(name);
    const picked = pick(numbers);
    if (picked === undefined) throw versionNotFound(name, versionOrRange, numbers, versioning);
    const record = await metadata.getVersion(name, picked);
    if (record) return record;
    // Deleted between the two reads: answer from one consistent listing instead.
  }
  const records = await metadata.listVersions(name);
  if (records.length === 0) throw packageNotFound(name);
  const versions = records.map((r) => r.version);
  const picked = pick(versions);
  const record = picked === undefined ? undefined : records.find((r) => r.version === picked);
  if (!record) throw versionNotFound(name, versionOrRange, versions, versioning);
  return record;
}

function packageNotFound(name: string): RegistryError {
  return new RegistryError('E_PACKAGE_NOT_FOUND', `package '${name}' is not in the registry`, { name });
}

function versionNotFound(name: string, versionOrRange: string, versions: readonly string[], versioning: VersioningProvider): RegistryError {
  const published = [...versions].sort((a, b) => versioning.compare(b, a)).slice(0, 10);
  return new RegistryError(
    'E_VERSION_NOT_FOUND',
    `no version of '${name}' matches '${versionOrRange}'; published: ${published.join(', ')}${versions.length > 10 ? `, ... (${versions.length} in all)` : ''}`,
    { name, expected: versionOrRange, found: published },
  );
}
