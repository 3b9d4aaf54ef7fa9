import type { ErrorCode } from '../errors.js';
import type { PackageManifest, PackageMetadata } from './package.js';
import type { Provider } from './provider.js';

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
 * Checks a package archive without storing it. The same provider runs in `pakt validate`, in
 * publish and (later) in the server, so they never disagree.
 */
export interface ValidationProvider extends Provider {
  /**
   * Validates the archive at a local file path. Resolves with a report for any archive, however
   * hostile; rejects only when the file cannot be read at all (E_INPUT_NOT_FOUND, E_IO).
   */
  validateFile(path: string): Promise<ValidationReport>;
  /**
   * Optional: validates an archive already in memory (the manager holds small archives, up to
   * 1 MiB, whole). It must judge exactly as validateFile would judge the same bytes in a file.
   * With it, publish validates while the temp file is already on its way into the store; without
   * it, publish validates the file first and stores it afterwards.
   */
  validateBytes?(bytes: Uint8Array): Promise<ValidationReport>;
}
