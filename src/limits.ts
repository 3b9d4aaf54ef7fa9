/**
 * Every limit pakt enforces, in one place, with its unit in its name.
 * The defaults are SPEC §1's; a host application overrides any of them through
 * `openRegistry({ limits: { ... } })` or the provider factories, and `resolveLimits` checks the
 * overrides so a typo cannot silently switch a limit off.
 */
import { RegistryError } from './errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface Limits {
  /** Size of the archive file as published. */
  readonly maxArchiveBytes: number;
  /** Entries in the ZIP central directory (files and folders). */
  readonly maxEntries: number;
  /** Sum of the uncompressed sizes of every entry. */
  readonly maxUncompressedBytes: number;
  /** Uncompressed:compressed ratio allowed for one entry (a zip-bomb guard). */
  readonly maxCompressionRatio: number;
  /** Entries whose uncompressed size is below this are exempt from the ratio check. */
  readonly compressionRatioExemptBytes: number;
  /** Uncompressed total : archive size allowed for the archive as a whole (bounds the cost of inflating it). */
  readonly maxTotalCompressionRatio: number;
  /** Archives whose uncompressed total is below this are exempt from the total ratio check. */
  readonly totalCompressionRatioExemptBytes: number;
  /** metadata.json, uncompressed. */
  readonly maxMetadataBytes: number;
  /** manifest.json, uncompressed. */
  readonly maxManifestBytes: number;
  /** One path inside the archive, in UTF-8 bytes. */
  readonly maxPathBytes: number;
  /** Nesting depth of metadata.json and manifest.json. */
  readonly maxJsonDepth: number;
  /** A package name, in characters. */
  readonly maxNameChars: number;
  /** A version string, in characters. */
  readonly maxVersionChars: number;
  /** A version range, in characters (checked before any regex runs on it). */
  readonly maxRangeChars: number;
  /** A search query, in characters; longer queries are cut, not refused. */
  readonly maxQueryChars: number;
  /** Milliseconds a published stream may send nothing before the publish gives up. */
  readonly streamIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxArchiveBytes: 2 * GiB,
  maxEntries: 50_000,
  maxUncompressedBytes: 8 * GiB,
  maxCompressionRatio: 1000,
  compressionRatioExemptBytes: 1 * MiB,
  maxTotalCompressionRatio: 100,
  totalCompressionRatioExemptBytes: 64 * MiB,
  maxMetadataBytes: 1 * MiB,
  maxManifestBytes: 32 * MiB,
  maxPathBytes: 1024,
  maxJsonDepth: 64,
  maxNameChars: 214,
  maxVersionChars: 256,
  maxRangeChars: 1024,
  maxQueryChars: 256,
  streamIdleTimeoutMs: 60_000,
});

/**
 * Archives up to this size are handled whole, in memory: intake keeps them without a temp file,
 * the validator reads them with one read, and storage receives them through putBytes (fs-cas
 * writes them in place). A threshold between two ways of doing the same work, not a host limit.
 */
export const SMALL_ARCHIVE_BYTES = 1 * MiB;

/** Merges host overrides over the defaults; refuses unknown names and non-positive values. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const merged: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_LIMITS, key)) {
      throw new RegistryError('E_LIMIT_INVALID', `unknown limit '${key}'; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`, { found: key });
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      throw new RegistryError('E_LIMIT_INVALID', `limit '${key}' must be a positive integer, got ${String(value)}`, { path: key, found: value });
    }
    merged[key] = value;
  }
  return Object.freeze(merged) as unknown as Limits;
}

/**
 * Limits of `advisories import` (src/scan): an advisory feed is hostile input like a package. A
 * host overrides them through the import's options; resolveAdvisoryImportLimits checks them the
 * same way.
 */
export interface AdvisoryImportLimits {
  /** One JSON document: a .json file, or one ZIP entry, uncompressed. */
  readonly maxAdvisoryJsonBytes: number;
  /** The ZIP file of advisories, as given. */
  readonly maxAdvisoryZipBytes: number;
  /** Entries of the ZIP, or files under the folder. */
  readonly maxAdvisoryEntries: number;
  /** Sum of the uncompressed sizes the ZIP's entries declare. */
  readonly maxAdvisoryUncompressedBytes: number;
  /** Uncompressed:compressed ratio of one ZIP entry of 1 MiB or more (a zip-bomb guard). */
  readonly maxAdvisoryCompressionRatio: number;
  /** Nesting of folders under the folder given. */
  readonly maxAdvisoryFolderDepth: number;
}

export const DEFAULT_ADVISORY_IMPORT_LIMITS: AdvisoryImportLimits = Object.freeze({
  maxAdvisoryJsonBytes: 64 * MiB,
  maxAdvisoryZipBytes: 2 * GiB,
  maxAdvisoryEntries: 2_000_000,
  maxAdvisoryUncompressedBytes: 16 * GiB,
  maxAdvisoryCompressionRatio: 1000,
  maxAdvisoryFolderDepth: 32,
});

/** Merges host overrides over the advisory import defaults; refuses unknown names and non-positive values. */
export function resolveAdvisoryImportLimits(overrides: Partial<AdvisoryImportLimits> = {}): AdvisoryImportLimits {
  const merged: Record<string, number> = { ...DEFAULT_ADVISORY_IMPORT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_ADVISORY_IMPORT_LIMITS, key)) {
      throw new RegistryError('E_LIMIT_INVALID', `unknown advisory import limit '${key}'; known limits: ${Object.keys(DEFAULT_ADVISORY_IMPORT_LIMITS).join(', ')}`, { found: key });
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      throw new RegistryError('E_LIMIT_INVALID', `advisory import limit '${key}' must be a positive integer, got ${String(value)}`, { path: key, found: value });
    }
    merged[key] = value;
  }
  return Object.freeze(merged) as unknown as AdvisoryImportLimits;
}
