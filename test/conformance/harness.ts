/**
 * What every conformance suite declares its cases with. A case named in the caller's `skip` list is
 * reported as skipped, and a case whose capability the provider does not declare is reported as
 * skipped with "unsupported: <capability> absent" in its title: never as passed, never as failed.
 */
import { it } from 'vitest';

/**
 * Every case's time limit. A host project runs the suites under its own vitest configuration,
 * whose default (5 s) is too short for the cases that build and check large archives on a
 * loaded machine.
 */
export const CASE_TIMEOUT_MS = 120_000;

export interface ConformanceCases {
  /** An ordinary case. */
  test(title: string, fn: () => void | Promise<void>): void;
  /** A case that needs a capability; run only when `present`. */
  needs(capability: string, present: boolean, title: string, fn: () => void | Promise<void>): void;
  /** True when the caller asked to skip this case. */
  isSkipped(title: string): boolean;
}

export function conformanceCases(skip: readonly string[] = []): ConformanceCases {
  const skipped = new Set(skip);
  return {
    test(title, fn) {
      it.skipIf(skipped.has(title))(title, fn, CASE_TIMEOUT_MS);
    },
    needs(capability, present, title, fn) {
      const shown = present ? `${title} [${capability}]` : `${title} [unsupported: ${capability} absent]`;
      it.skipIf(!present || skipped.has(title))(shown, fn, CASE_TIMEOUT_MS);
    },
    isSkipped: (title) => skipped.has(title),
  };
}
