/**
 * The default validation provider: the package format checked on a ZIP file with yauzl and the format
 * module (src/package/validate-archive.ts does the work; this adapts it to the contract).
 */
import { CORE_VERSION, type ProviderInfo } from '../../src/contracts/provider.js';
import type { ArchiveSource, ValidateOptions, ValidationProvider, ValidationReport } from '../../src/contracts/validation.js';
import type { VersionSyntax } from '../../src/contracts/versioning.js';
import { RegistryError } from '../../src/errors.js';
import { resolveLimits, type Limits } from '../../src/limits.js';
import { MemoryReader, SourceReader } from '../../src/package/file-reader.js';
import { validateArchive, validateArchiveFile } from '../../src/package/validate-archive.js';

export interface ZipValidatorOptions {
  /** Overrides of the default limits (archive size, entries, ratio, document sizes, ...). */
  limits?: Partial<Limits>;
  /**
   * The version scheme used when a call passes none (default: SemVer). The registry passes its
   * own versioning provider with every call, which wins over this.
   */
  versioning?: VersionSyntax;
}

export function createZipValidator(options: ZipValidatorOptions = {}): ValidationProvider {
  let limits: Limits;
  try {
    limits = resolveLimits(options.limits);
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError('E_PROVIDER_OPTION', `createZipValidator: invalid limits: ${String(err)}`);
  }
  const judge = (call?: ValidateOptions) => {
    const versioning = call?.versioning ?? options.versioning;
    return versioning === undefined ? { limits } : { limits, versioning };
  };
  const info: ProviderInfo = Object.freeze({ name: 'zip', family: 'validation', coreRange: `^${CORE_VERSION}` });
  return {
    info,
    validateFile(path: string, call?: ValidateOptions): Promise<ValidationReport> {
      if (typeof path !== 'string' || path.length === 0) {
        return Promise.reject(new RegistryError('E_INVALID_ARGUMENT', 'validateFile needs the path of an archive file'));
      }
      return validateArchiveFile(path, judge(call));
    },
    validateBytes(bytes: Uint8Array, call?: ValidateOptions): Promise<ValidationReport> {
      if (!(bytes instanceof Uint8Array)) {
        return Promise.reject(new RegistryError('E_INVALID_ARGUMENT', 'validateBytes needs the bytes of an archive (a Uint8Array)'));
      }
      const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return validateArchive(new MemoryReader(buffer), buffer.length, judge(call));
    },
    validateSource(source: ArchiveSource, call?: ValidateOptions): Promise<ValidationReport> {
      if (typeof source?.read !== 'function' || !Number.isSafeInteger(source.size) || source.size < 0) {
        return Promise.reject(new RegistryError('E_INVALID_ARGUMENT', 'validateSource needs an archive source: { size, read(buffer, offset, length, position) }'));
      }
      return validateArchive(new SourceReader(source), source.size, judge(call));
    },
  };
}

export default createZipValidator;
