import type { Provider } from './provider.js';

/**
 * The scanner family: a database of security advisories in the OSV schema
 * (ossf.github.io/osv-schema), asked which advisories affect a package version. The default
 * (providers/scanner/osv) keeps OSV records in SQLite inside the store; a host may plug in its own
 * feed (a vendor database, an HTTP service) behind this contract.
 *
 * Ecosystem: `npm` semantics (package names and SemVer versions as in SPEC §1-2). Names in
 * advisories are compared case-insensitively (pakt names are lowercase; GitHub's database spells
 * a few npm packages with capitals), and exactly otherwise: `lodash-es` is not `lodash`.
 */

/** Severity as pakt reports it: `database_specific.severity`, else CVSS, else unknown. */
export type Severity = 'low' | 'moderate' | 'high' | 'critical' | 'unknown';

/** One `affected[].ranges[].events[]` entry: exactly one of the four keys. */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRange {
  /** `SEMVER`, `ECOSYSTEM` or `GIT` (GIT ranges are ignored: they need the repository's commit graph). */
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvSeverity {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ... */
  readonly type: string;
  readonly score: string;
}

export interface OsvAffected {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly severity?: readonly OsvSeverity[];
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Readonly<Record<string, unknown>>;
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/**
 * An OSV record whose shape was checked (src/scan/osv-record.ts): the fields pakt reads are typed,
 * every other field is kept as imported.
 */
export interface OsvRecord {
  readonly id: string;
  /** RFC 3339; a newer `modified` of the same id replaces the stored record. */
  readonly modified: string;
  readonly published?: string;
  /** RFC 3339; a withdrawn record affects nothing. */
  readonly withdrawn?: string;
  readonly aliases?: readonly string[];
  readonly related?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: ReadonlyArray<{ readonly type: string; readonly url: string }>;
  readonly database_specific?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** One advisory affecting one package version. */
export interface AdvisoryMatch {
  /** The advisory's id; when records that are aliases of each other both match, one of them (GHSA first). */
  readonly id: string;
  /** Every other id of the same vulnerability (its aliases, and the ids of merged records), sorted. */
  readonly aliases: readonly string[];
  readonly severity: Severity;
  /** Where `severity` came from. */
  readonly severitySource: 'database_specific' | 'cvss_v3' | 'cvss_v2' | 'none';
  /** The CVSS base score when severity was computed from a vector. */
  readonly score?: number;
  readonly summary?: string;
  /** Versions of this package that fix it and are above the affected version, ascending. */
  readonly fixed: readonly string[];
  readonly modified: string;
  readonly published?: string;
}

/** What a scanner says about its database (SPEC §8 `db`). */
export interface AdvisoryDbInfo {
  /** Changes whenever the set of stored records (id and modified) changes; equal contents, equal version. */
  readonly version: string;
  /** Records that can match (withdrawn ones not counted). */
  readonly records: number;
  /** The newest `modified` of any stored record, or null when none is stored. */
  readonly newestModified: string | null;
  /** When the last import ran (ISO-8601 UTC), whether or not it changed anything. */
  readonly importedAt: string;
}

/**
 * What one import did, each record counted once: `imported` (a new id), `updated` (a newer
 * `modified` replaced the stored one), `withdrawn` (new or replacing, and withdrawn: it stops
 * matching), `unchanged` (the stored record is as new or newer), `ignored` (no npm package
 * affected, and the id not stored before).
 */
export interface AdvisoryImportCounts {
  readonly imported: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly withdrawn: number;
  readonly ignored: number;
}

export interface AdvisoryImportOptions {
  /** ISO-8601 UTC time recorded as the DB's `importedAt`. */
  readonly importedAt: string;
  /**
   * Called for a record the scanner cannot evaluate (say, an event version it cannot order), which
   * is then skipped. Without it such a record fails the whole import with E_ADVISORY_INVALID.
   */
  readonly onRejected?: (record: OsvRecord, reason: string) => void;
}

export interface ScannerCapabilities {
  /** The database outlives close(). */
  readonly persistent: boolean;
  /** Several processes may read and import at once (SQLite WAL). */
  readonly multiProcess: boolean;
}

/**
 * The scanner provider. Required: status() and affecting(). Every answer is about the state of
 * one moment: an import committing meanwhile is seen whole or not at all.
 */
export interface ScannerProvider extends Provider {
  readonly capabilities: ScannerCapabilities;

  /** The database's version, size and age; undefined when nothing was ever imported. */
  status(): Promise<AdvisoryDbInfo | undefined>;

  /**
   * The advisories affecting each of `versions` of package `name`, per the OSV evaluation
   * (docs/advisories.md): every version asked about is a key (an empty list when nothing affects
   * it). One entry per vulnerability: records that name each other (or a common id) as aliases
   * are one entry. Versions that are not SemVer are affected only through `versions[]` lists.
   */
  affecting(name: string, versions: readonly string[]): Promise<ReadonlyMap<string, readonly AdvisoryMatch[]>>;

  /**
   * Optional (a read-only feed has none): stores records in one transaction, whole or not at all
   * (an iterable that throws leaves the database as it was). Per id, a newer `modified` replaces
   * the stored record, an equal or older one changes nothing; a withdrawn record stops matching.
   */
  importRecords?(records: AsyncIterable<OsvRecord> | Iterable<OsvRecord>, options: AdvisoryImportOptions): Promise<AdvisoryImportCounts>;

  /**
   * Optional, for speed: the package names any advisory affects (lowercased). A scan of a whole
   * store asks affecting() only for these; without it, it asks for every package.
   */
  affectedNames?(): Promise<ReadonlySet<string>>;

  /** Optional: one stored record by its id, as imported. */
  getRecord?(id: string): Promise<OsvRecord | undefined>;
}
