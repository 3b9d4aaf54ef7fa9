import type { DocumentStore, DocumentWrite } from './documents.js';
import type { Digest, PackageMetadata } from './package.js';
import type { Provider } from './provider.js';

/** One published version, as the metadata store keeps it. */
export interface VersionRecord {
  name: string;
  version: string;
  /** Digest of the archive bytes as published; also the storage key. */
  digest: Digest;
  /** Archive size in bytes. */
  size: number;
  /** ISO-8601 UTC time of the first successful publish. */
  publishedAt: string;
  /** metadata.json as validated (unknown fields kept). */
  metadata: PackageMetadata;
}

/** Outcome of insertVersion. Immutability lives here: UNIQUE(name, version). */
export type InsertOutcome =
  /** The version was new and is now stored. */
  | { status: 'inserted' }
  /** The same name@version with the same digest already existed: a harmless no-op. */
  | { status: 'unchanged'; existing: VersionRecord }
  /** The same name@version exists with a different digest; the caller maps it to E_VERSION_EXISTS. */
  | { status: 'conflict'; existing: VersionRecord };

/** What changesSince answers: which packages changed after a cursor, and the cursor to ask from next. */
export interface MetadataChanges {
  /** Where this answer ends; pass it to the next changesSince call. Opaque to the caller. */
  readonly cursor: string;
  /**
   * Names of packages with a version inserted or deleted after the cursor asked about, each once,
   * in no particular order. May name a package whose versions ended up as they were (re-reading
   * it is harmless); never leaves out one that changed, unless `complete` is false.
   */
  readonly names: readonly string[];
  /**
   * False when changes after the cursor asked about may be missing (the cursor is older than the
   * oldest change the provider still keeps, or from a store that was replaced): whatever the
   * caller derived from the metadata must be read again whole, then followed from `cursor`.
   */
  readonly complete: boolean;
}

export interface MetadataCapabilities {
  /** Several processes may open the same store at once (SQLite WAL, PostgreSQL). */
  readonly multiProcess: boolean;
  /** Data outlives close() (false for the in-memory provider). */
  readonly persistent: boolean;
}

/**
 * The metadata store: which versions exist, their digests and metadata.json, and download counts.
 * Every method is atomic on its own: an insert or a delete either happens whole or not at all,
 * even when several processes race (the UNIQUE constraint decides, not a lock file).
 */
export interface MetadataProvider extends Provider {
  readonly capabilities: MetadataCapabilities;

  /**
   * Inserts one version. `writes` (only for a provider with `documents`) are applied in the same
   * transaction when, and only when, the outcome is 'inserted'; one whose expectRevision fails
   * fails the insert with E_META_CONFLICT and nothing is written. A provider without `documents`
   * refuses a non-empty `writes` with E_INVALID_ARGUMENT.
   */
  insertVersion(record: VersionRecord, writes?: readonly DocumentWrite[]): Promise<InsertOutcome>;
  getVersion(name: string, version: string): Promise<VersionRecord | undefined>;
  /** Every version of one package, in no particular order; empty when the package is unknown. */
  listVersions(name: string): Promise<VersionRecord[]>;
  /**
   * Optional: the version strings of one package, in no particular order, without their records.
   * `latest` and ranges need only these, then one record: a package of 2,000 versions otherwise
   * costs 2,000 metadata.json parses per lookup and per publish.
   */
  listVersionNumbers?(name: string): Promise<string[]>;
  /** Names of every package with at least one version, sorted. */
  listPackageNames(): Promise<string[]>;
  /** Every version record of every package (for verify, gc, index rebuilds); streamed. */
  allVersions(): AsyncIterable<VersionRecord>;
  /**
   * Removes one version; returns the removed record, or undefined when it did not exist. `writes`
   * are applied in the same transaction when, and only when, a version was removed (as for
   * insertVersion).
   */
  deleteVersion(name: string, version: string, writes?: readonly DocumentWrite[]): Promise<VersionRecord | undefined>;
  /** True when any version refers to this digest (gc keeps such blobs). */
  isDigestReferenced(digest: Digest): Promise<boolean>;
  /**
   * Optional: calls `remove` (the store deleting the blob) only when no version refers to
   * `digest`, and holds back every insert of a version, from any process sharing this metadata,
   * until `remove` has settled. Resolves to what `remove` resolved to, or false, without calling
   * it, when a version refers to the digest. Rejects with `remove`'s error, releasing the hold.
   *
   * Why: gc, delete and a failed publish remove a blob only when nothing refers to it. Asked
   * first and removed after, a publish of the same bytes could insert its version in between and
   * be acknowledged, then lose its archive. Without this method the core still asks first and
   * removes after, and that window stays open.
   *
   * `remove` must not write through this provider itself: its writes would wait for the removal.
   */
  removeIfUnreferenced?(digest: Digest, remove: () => Promise<boolean>): Promise<boolean>;
  /**
   * Optional: a change feed. Without a cursor, the current position (no names): take it before
   * reading the metadata whole, so nothing written during the read is missed. With a cursor from
   * an earlier answer, the packages whose versions were inserted or deleted since, by any process
   * or connection sharing this metadata, this one included. Reading does not consume: the same
   * cursor gives the same names again (plus later ones). A cursor this provider cannot have
   * returned is refused with E_INVALID_ARGUMENT.
   *
   * Why: the manager keeps a search index built from the metadata; without this method it learns
   * only of its own process's publishes and deletes, and search stays stale when another process
   * (the CLI, another server) writes to the same store. It is asked before every search, so an
   * answer when nothing changed must cost microseconds (SQLite: PRAGMA data_version, no query).
   */
  changesSince?(cursor?: string): Promise<MetadataChanges>;

  /**
   * Optional: the registry's own state beside its versions (trust roots, signatures, policy,
   * users, tokens, the audit head, ...), see documents.ts. A capability that needs it refuses to
   * start on a provider without it (E_PROVIDER_INCOMPATIBLE), naming the capability.
   */
  readonly documents?: DocumentStore;

  /** Adds to a package's download count (the registry's own popularity signal). */
  addDownloads(name: string, count: number): Promise<void>;
  /** Download counts of the given packages (absent = 0). */
  getDownloads(names: readonly string[]): Promise<Map<string, number>>;
}
