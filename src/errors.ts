/**
 * One error class and one catalogue of stable codes.
 *
 * Every error a user can cause is a RegistryError whose `code` is a key of ERROR_CATALOGUE.
 * The catalogue is assembled from one table per area (src/error-catalogue/); docs/errors.md is
 * generated from it (`npm run docs:errors`) and test/meta/errors-documented.test.ts keeps them in
 * step. Codes are never renamed or reused once released.
 */
import type { ValidationIssue } from './contracts/validation.js';
import { GENERAL_ERRORS, type GeneralErrorDetails } from './error-catalogue/general.js';
import { PACKAGE_ERRORS, type PackageErrorDetails } from './error-catalogue/package.js';
import { REGISTRY_ERRORS, type RegistryErrorDetails } from './error-catalogue/registry.js';
import { RESOLVE_ERRORS, type ResolveErrorDetails } from './error-catalogue/resolve.js';
import { SEARCH_ERRORS, type SearchErrorDetails } from './error-catalogue/search.js';
import { METADATA_SERVER_ERRORS, type MetadataServerErrorDetails } from './error-catalogue/metadata-server.js';
import { INSTALL_ERRORS, type InstallErrorDetails } from './error-catalogue/install.js';
import { REMOTE_ERRORS, type RemoteErrorDetails } from './error-catalogue/remote.js';
import { SCAN_ERRORS, type ScanErrorDetails } from './error-catalogue/scan.js';
import { UPSTREAM_ERRORS, type UpstreamErrorDetails } from './error-catalogue/upstream.js';
import type { ErrorSpec } from './error-catalogue/spec.js';

export type { ErrorSpec } from './error-catalogue/spec.js';
export type { PackageErrorCode } from './error-catalogue/package.js';
export type {
  GeneralErrorDetails,
  InstallErrorDetails,
  MetadataServerErrorDetails,
  PackageErrorDetails,
  RegistryErrorDetails,
  RemoteErrorDetails,
  ResolveErrorDetails,
  ScanErrorDetails,
  SearchErrorDetails,
  UpstreamErrorDetails,
};

export const ERROR_CATALOGUE = {
  ...GENERAL_ERRORS,
  ...PACKAGE_ERRORS,
  ...REGISTRY_ERRORS,
  ...REMOTE_ERRORS,
  ...RESOLVE_ERRORS,
  ...SEARCH_ERRORS,
  ...METADATA_SERVER_ERRORS,
  ...INSTALL_ERRORS,
  ...SCAN_ERRORS,
  ...UPSTREAM_ERRORS,
} as const satisfies Record<string, ErrorSpec>;

/** The closed union of every stable error code. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Details every code may carry; all optional, all JSON-serialisable. Fields particular to some
 * codes are typed per code in ErrorDetailsByCode (each area's table declares its own).
 */
export interface ErrorDetails {
  /** The file, archive entry or JSON pointer the error is about. */
  path?: string;
  /** What the rule wanted (a digest, a size, a name). */
  expected?: unknown;
  /** What was actually found. */
  found?: unknown;
  /** The limit that was exceeded, with its name in limits.ts. */
  limit?: { name: string; value: number };
  /** Overrides the catalogue's hint where the thrower knows better (e.g. "did you mean ...?"). */
  hint?: string;
  /** The package (and version) the error is about. */
  name?: string;
  version?: string;
  /** Every problem found, when there were several (an invalid package's validation report). */
  errors?: ValidationIssue[];
  /** The operating system's code of the failure behind this one (ENOENT, EACCES, ...). */
  syscallCode?: string;
  /** SQLite's result code of the failure behind this one (SQLITE_BUSY, SQLITE_CORRUPT, ...). */
  sqliteCode?: string;
  /** A metadata store on a database server: which one, as `user@host:port/database` (never a password). */
  database?: string;
  /** The SQLSTATE of a database server's failure behind this one (40001, 57014, 28P01, ...). */
  sqlState?: string;
  /**
   * The operation may be run again as it is: the fault is in the network or a server that is busy
   * or restarting, not in the request (E_REMOTE_NETWORK, E_REMOTE_UNAVAILABLE, E_META_UNAVAILABLE,
   * E_META_TIMEOUT, a PostgreSQL E_META_BUSY). Retry loops act on this field alone, whatever the code.
   */
  retryable?: true;
  /** How many tries a retry loop made before it gave up with this failure (the first included). */
  attempts?: number;
  /** The pipeline step that failed (publish, delete, ...). */
  step?: string;
  /** Undo steps that failed in turn after the failure: "<step>: <message>" each. */
  rollbackErrors?: string[];
  /** Recording this failure in the audit log failed too: why. */
  auditError?: string;
  /** Versions an operation on several (delete of every version) had completed before it failed. */
  deleted?: string[];
}

/** Fields particular to some codes, from every area's table. */
export interface ErrorDetailsByCode
  extends GeneralErrorDetails,
    InstallErrorDetails,
    MetadataServerErrorDetails,
    PackageErrorDetails,
    RegistryErrorDetails,
    RemoteErrorDetails,
    ResolveErrorDetails,
    ScanErrorDetails,
    SearchErrorDetails,
    UpstreamErrorDetails {}

/** The details of an error of code C: the common fields and the code's own. */
export type DetailsOf<C extends ErrorCode> = ErrorDetails & (C extends keyof ErrorDetailsByCode ? ErrorDetailsByCode[C] : unknown);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, value);
}

export class RegistryError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'RegistryError';
  readonly code: C;
  readonly details: DetailsOf<C>;

  /**
   * @param code    the stable code
   * @param message what was wrong, naming the subject, the rule and the numbers
   * @param details structured fields; `cause` goes in options
   */
  constructor(code: C, message: string, details: DetailsOf<C> = {} as DetailsOf<C>, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = details;
  }

  get spec(): ErrorSpec {
    return ERROR_CATALOGUE[this.code];
  }

  /** The hint to show a person: the thrower's own, else the catalogue's. */
  get hint(): string {
    return typeof this.details.hint === 'string' ? this.details.hint : this.spec.hint;
  }

  get userFault(): boolean {
    return this.spec.userFault;
  }

  toJSON(): { code: C; message: string; hint: string } & Omit<DetailsOf<C>, 'hint'> {
    const { hint: _hint, ...rest } = this.details as ErrorDetails;
    return { ...(rest as Omit<DetailsOf<C>, 'hint'>), code: this.code, message: this.message, hint: this.hint };
  }
}

export function isRegistryError<C extends ErrorCode = ErrorCode>(value: unknown, code?: C): value is RegistryError<C> {
  return value instanceof RegistryError && (code === undefined || value.code === code);
}

/**
 * Wraps an unknown failure (usually a Node system error) into a coded one, keeping the cause.
 * A RegistryError passes through unchanged.
 */
export function toRegistryError(err: unknown, fallback: ErrorCode = 'E_INTERNAL', context?: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const sys = err as NodeJS.ErrnoException | undefined;
  const what = sys && typeof sys.message === 'string' ? sys.message : String(err);
  const code: ErrorCode = sys && typeof sys.code === 'string' && fallback === 'E_INTERNAL' ? 'E_IO' : fallback;
  const message = context ? `${context}: ${what}` : what;
  const details: ErrorDetails = {};
  if (sys && typeof sys.code === 'string') details['syscallCode'] = sys.code;
  if (sys && typeof sys.path === 'string') details.path = sys.path;
  return new RegistryError(code, message, details, { cause: err });
}
