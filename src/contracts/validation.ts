import type { ErrorCode } from '../errors.js';
import type { PackageManifest, PackageMetadata } from './package.js';
import type { Provider } from './provider.js';
import type { VersionSyntax } from './versioning.js';

export interface ValidationIssue {
  code: ErrorCode;
  message: string;
  /** The archive entry (or JSON pointer inside metadata.json / manifest.json) concerned. */
  path?: string;
}

export interface ValidationReport {
  valid: boolean;
  /** From metadata.json when it could be read, even if the package is invalid. */
  name?: string;
  version?: string;
  /** Every problem found, not only the first, as far as the archive was readable. */
  errors: ValidationIssue[];
  /** Present when valid. */
  metadata?: PackageMetadata;
  manifest?: PackageManifest;
  /** Number of content files and their total uncompressed size (present when valid). */
  fileCount?: number;
  unpackedBytes?: number;
}

/**
 * An archive read through its owner rather than opened by the validator: a file still being
 * copied (reads wait until their bytes are there), a remote object, a test's fault injector.
 */
export interface ArchiveSource {
  /** The archive's size in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves with the number
   * read (0 only past the end). May wait. Rejects with a RegistryError (E_IO) when the bytes
   * cannot be had.
   */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** What the core tells a validator with every call. */
export interface ValidateOptions {
  /**
   * The registry's version scheme: a validator judges metadata.json's `version` and dependency
   * ranges through it alone, and uses its own default (SemVer for the zip validator) only when it
   * is absent. The core always passes its versioning provider.
   */
  versioning?: VersionSyntax;
}

/**
 * Checks a package archive without storing it. The same provider runs in `pakt validate`, in
 * publish and (later) in the server, so they never disagree.
 */
export interface ValidationProvider extends Provider {
  /**
   * Validates the archive at a local file path. Resolves with a report for any archive, however
   * hostile; rejects only when the file cannot be read at all (E_INPUT_NOT_FOUND, E_IO).
   */
  validateFile(path: string, options?: ValidateOptions): Promise<ValidationReport>;
  /**
   * Optional: validates an archive already in memory (the manager holds small archives, up to
   * SMALL_ARCHIVE_BYTES of src/limits.ts, 1 MiB, whole). It must judge exactly as validateFile would judge the same bytes in a file.
   * With it, publish validates while the temp file is already on its way into the store; without
   * it, publish validates the file first and stores it afterwards.
   */
  validateBytes?(bytes: Uint8Array, options?: ValidateOptions): Promise<ValidationReport>;
  /**
   * Optional: validates an archive read through `source`, judging exactly as validateFile would
   * judge the same bytes. Publish uses it for a large archive while copying it into the store,
   * so that the copy and the validation overlap instead of following each other.
   */
  validateSource?(source: ArchiveSource, options?: ValidateOptions): Promise<ValidationReport>;
}
