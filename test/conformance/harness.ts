/**
 * What every conformance suite declares its cases with. A case named in the caller's `skip` list is
 * reported as skipped, and a case whose capability the provider does not declare is reported as
 * skipped with "unsupported: <capability> absent" in its title: never as passed, never as failed.
 */
import { it } from 'vitest';

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
      it.skipIf(skipped.has(title))(title, fn);
    },
    needs(capability, present, title, fn) {
      const shown = present ? `${title} [${capability}]` : `${title} [unsupported: ${capability} absent]`;
      it.skipIf(!present || skipped.has(title))(shown, fn);
    },
    isSkipped: (title) => skipped.has(title),
  };
}
