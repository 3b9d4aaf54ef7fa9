/**
 * The shape of one row of the error catalogue. Every code a user can meet has one row;
 * docs/errors.md is generated from these rows and a test keeps the two in step.
 */
export interface ErrorSpec {
  /** What the code means, in one sentence (the docs' "Meaning" column). */
  readonly meaning: string;
  /** What the user should do about it (the docs' "How to fix" column, and the CLI hint). */
  readonly hint: string;
  /** HTTP status the future server maps this code to. */
  readonly status: number;
  /**
   * True when the caller of the operation caused it and can fix it by changing the request (bad
   * input, conflict, not found): shown verbatim, not retryable; exactly the codes whose status is
   * below 500. False for infrastructure faults (disk, database) and for faults in the host
   * application's own set-up (a missing provider, a bad limit), which the caller cannot fix.
   */
  readonly userFault: boolean;
  /** CLI exit status: 1 operation failed, 2 usage error (a user fault only). */
  readonly exit: 1 | 2;
}

/** Helper so each area table keeps its literal keys (for the closed ErrorCode union). */
export function defineErrors<const T extends Record<`E_${string}`, ErrorSpec>>(table: T): T {
  return table;
}
