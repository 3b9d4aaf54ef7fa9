/**
 * The shapes of install (docs/install.md): what a host passes to registry.install() and its
 * friends, what they return, the progress they report and the events the registry emits.
 */
import type { Digest, VersionRecord, VersioningProvider, VersionSyntax } from '../contracts/index.js';
import type { StepReport } from '../core/types.js';
import type { Limits } from '../limits.js';
import type { ResolveSource } from '../resolve/types.js';
import type { FolderState } from './verify-folder.js';

/**
 * Where install gets packages from: versions and dependencies for the resolver, records, and
 * verified archives. CoreRegistryManager provides one over its own store; any other registry
 * (a remote one, a registry of upstreams) can provide the same.
 */
export interface InstallSource {
  readonly resolveSource: ResolveSource;
  readonly versioning: VersioningProvider;
  readonly limits: Limits;
  /** The record of exactly `name@version`, or undefined when the store has no such version. */
  getVersion(name: string, version: string): Promise<VersionRecord | undefined>;
  /**
   * Writes the archive of exactly `name@version` to `file`, which appears only once every byte
   * was verified against the digest; returns the digest verified.
   */
  downloadToFile(name: string, version: string, file: string): Promise<{ digest: Digest; size: number }>;
}

/** name → range (`latest` or omitted: the highest release, recorded as `^<version>`), or `name@range` strings. */
export type Requirements = Readonly<Record<string, string>> | readonly string[];

export type InstallPhase = 'resolve' | 'fetch' | 'extract' | 'commit';

/** What a progress callback receives: the phase, how far it is, and the package it just did. */
export interface InstallProgress {
  phase: InstallPhase;
  done: number;
  total: number;
  name?: string;
  version?: string;
}

export interface InstallCommonOptions {
  /** The host folder packages are installed into (created if missing). */
  into: string;
  /** Compute and return what would change, change nothing (an interrupted operation is still rolled back first). */
  dryRun?: boolean;
  /**
   * fsync every extracted file and folder, the lockfile and the journal (default true). Off makes
   * installs faster at the price of durability across a power cut (a crash of the process is
   * survived either way).
   */
  fsync?: boolean;
  onProgress?: (progress: InstallProgress) => void;
  /** How long to wait for another process installing into the same folder (default 60 s). */
  lockTimeoutMs?: number;
}

export interface InstallOptions extends InstallCommonOptions {
  /** What to add or change; merged into the requirements the lockfile records. None: install what the lockfile says. */
  requirements?: Requirements;
  /**
   * Install exactly what pakt-lock.json says: never resolve, never write the lockfile, check every
   * digest and every folder already there; E_LOCK_MISMATCH when the store or the folder disagree.
   */
  frozen?: boolean;
  /**
   * Re-hash every installed folder the operation keeps, and write again each one that differs
   * from its package (without it, a kept folder is only checked to exist at the right version).
   */
  repair?: boolean;
}

export interface UpgradeOptions extends InstallCommonOptions {
  /** The packages to move to the highest versions their requirements allow (others stay where they can). */
  packages?: readonly string[];
  /** Every package. */
  all?: boolean;
}

export interface RemoveOptions extends InstallCommonOptions {
  /** Root requirements to drop; their dependencies go too when nothing else needs them. */
  packages: readonly string[];
}

export interface ListInstalledOptions {
  into: string;
  /** Re-hash every installed file against its package's manifest (default: a quick check of each folder). */
  verify?: boolean;
  lockTimeoutMs?: number;
  /** The version scheme the lockfile's versions and ranges are read by (default SemVer); the registry's listInstalled passes its own. */
  versioning?: VersionSyntax;
}

export interface InstalledRef {
  name: string;
  version: string;
  digest: Digest;
}

export interface ChangedRef {
  name: string;
  from: string;
  to: string;
  digest: Digest;
}

export interface InstallResult {
  /** The install folder, absolute. */
  into: string;
  lockfile: string;
  dryRun: boolean;
  /** Packages new to the folder. */
  added: InstalledRef[];
  /** Packages that moved to another version (up or down). */
  changed: ChangedRef[];
  /** Packages the lockfile named whose folder was missing or damaged, written again. */
  repaired: InstalledRef[];
  removed: InstalledRef[];
  /** Packages left as they were. */
  unchanged: number;
  /** remove: named packages that stay installed because others still depend on them. */
  stillNeeded: string[];
  /** The root requirements after the operation. */
  requirements: Record<string, string>;
  /** The timed steps (where the time went). */
  steps: StepReport[];
}

export interface InstalledPackage {
  name: string;
  version: string;
  digest: Digest;
  /** The package's folder, absolute. */
  path: string;
  /** The range asked for, when this package is a root requirement. */
  requirement?: string;
  /** ok; missing (no folder); mismatch (another version, or with verify: changed, missing or extra files). */
  state: FolderState;
  problems: string[];
}

export interface InstalledList {
  into: string;
  /** False when the folder has no lockfile (nothing was installed there). */
  locked: boolean;
  requirements: Record<string, string>;
  /** Sorted by name. */
  packages: InstalledPackage[];
  /** True when every package's folder is as the lockfile says. */
  ok: boolean;
}

/** A package that appeared or changed in an install folder (emitted after the commit). */
export interface InstalledEvent {
  into: string;
  name: string;
  version: string;
  digest: Digest;
  path: string;
  /** The version it replaced, if any. */
  previous?: string;
}

/** A package removed from an install folder (emitted after the commit). */
export interface UninstalledEvent {
  into: string;
  name: string;
  version: string;
  digest: Digest;
}

/** How an operation tells its caller what it committed. */
export interface InstallHooks {
  onInstalled?(event: InstalledEvent): void;
  onUninstalled?(event: UninstalledEvent): void;
}

// The registry's own events grow by these two, without the core's event table knowing install.
declare module '../core/types.js' {
  interface RegistryEvents {
    installed: [InstalledEvent];
    uninstalled: [UninstalledEvent];
  }
}
