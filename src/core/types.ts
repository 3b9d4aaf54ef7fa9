/**
 * The shapes the manager takes and returns. Kept apart from registry-manager.ts so the pipelines
 * (publish.ts, download.ts, ...) can share them without importing the class.
 */
import type { Readable } from 'node:stream';
import type {
  AuditIntegrity,
  AuditSink,
  Digest,
  MetadataProvider,
  SearchProvider,
  StorageProvider,
  ValidationIssue,
  ValidationProvider,
  VersionRecord,
  VersioningProvider,
} from '../contracts/index.js';
import type { Limits } from '../limits.js';

export interface RegistryManagerOptions {
  metadata: MetadataProvider;
  storage: StorageProvider;
  versioning: VersioningProvider;
  validation: ValidationProvider;
  search: SearchProvider;
  /** Where audit records go; each sink receives every record. */
  audit?: AuditSink[];
  /** Overrides of the defaults in src/limits.ts. */
  limits?: Partial<Limits>;
  /** Injected time source (tests pin it); default `() => new Date()`. */
  clock?: () => Date;
  /** Who acts, for the audit log; default the OS user name. */
  actor?: string;
  /**
   * Folder for temporary files during publish. Default: storage.tempDir (same filesystem as the
   * store, so storing is a rename), else the OS temp folder.
   */
  tempDir?: string;
}

/** What publishPackage accepts: a path to a .zip, its bytes, or a stream of them. */
export type PublishInput = string | Uint8Array | Readable;

export interface PublishResult extends VersionRecord {
  /** `published`: a new version; `unchanged`: the identical bytes were already published. */
  status: 'published' | 'unchanged';
}

export interface ValidateResult {
  valid: boolean;
  name?: string;
  version?: string;
  digest: Digest;
  size: number;
  errors: ValidationIssue[];
}

export interface VersionList {
  name: string;
  /** Highest non-prerelease version (or the highest prerelease when every version is one). */
  latest: string;
  /** Highest first. */
  versions: VersionRecord[];
}

export interface DeletedVersion {
  name: string;
  version: string;
  digest: Digest;
  /** True when the archive was removed too (no other version referred to it). */
  blobRemoved: boolean;
  /** Why removing the archive failed; the version is deleted and the archive left for `gc`. */
  blobError?: string;
}

/** A stored version that depends on a package some of whose versions are being removed. */
export interface Dependent {
  name: string;
  version: string;
  /** Its dependency range on the package. */
  range: string;
  /** The highest version left after the removal that still satisfies the range; null when none would. */
  satisfiedBy: string | null;
}

export interface DownloadResult {
  name: string;
  version: string;
  digest: Digest;
  size: number;
  file: string;
}

/** Timing and figures of one named step of a pipeline. */
export interface StepReport {
  step: string;
  ms: number;
  [figure: string]: unknown;
}

export interface PackageRef {
  name: string;
  version: string;
  digest: Digest;
}

/** An audit sink's own integrity check, as verify reports it. */
export interface AuditCheck extends AuditIntegrity {
  sink: string;
}

export interface VerifyResult {
  /** False when any archive is missing or corrupt, or an audit log does not check out. */
  ok: boolean;
  /** Archives (distinct digests referred to by metadata) re-hashed. */
  checked: number;
  corrupt: PackageRef[];
  missing: PackageRef[];
  /** Stored archives no version refers to (what `gc` would remove). */
  orphans: { count: number; bytes: number };
  /** One entry per audit sink that can check itself. */
  audit: AuditCheck[];
  steps: StepReport[];
}

export interface GcOptions {
  /** Report what would be removed without removing anything. */
  dryRun?: boolean;
}

export interface GcResult {
  dryRun: boolean;
  /** Number of archives removed (or that would be, with dryRun). */
  removed: number;
  bytesFreed: number;
  blobs: Array<{ digest: Digest; size: number }>;
  /** Leftover temporary files of dead processes swept away. */
  tempSwept: number;
  steps: StepReport[];
}

export interface RebuildResult {
  /** Stored archives read. */
  scanned: number;
  /** Versions added to the metadata (they were missing). */
  inserted: number;
  /** Versions the metadata already had with the same digest. */
  unchanged: number;
  /** Archives whose name@version is recorded with another digest (left as they are). */
  conflicts: PackageRef[];
  /** Archives that failed validation or could not be read (left in the store, reported). */
  unreadable: Array<{ digest: Digest; code: string; message: string }>;
  steps: StepReport[];
}

/** Events a host application can listen to. */
export interface RegistryEvents {
  published: [PublishResult];
  deleted: [DeletedVersion];
  downloaded: [{ name: string; version: string; digest: Digest; size: number }];
  /** Diagnostics: the timed steps of each successful publish (where the time went). */
  publishSteps: [{ name: string; version: string; steps: StepReport[] }];
}

export interface ProgressCallback {
  (done: number, total?: number): void;
}
