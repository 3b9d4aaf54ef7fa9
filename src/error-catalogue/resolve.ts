import { defineErrors } from './spec.js';

/** Dependency resolution (SPEC §3). Owned by the resolver work. */
export const RESOLVE_ERRORS = defineErrors({
  E_UNSATISFIABLE: {
    meaning: 'No set of versions, one per package name, satisfies every dependency range; the message explains why step by step.',
    hint: 'Read the explanation from the bottom up; relax the root range or publish a version that satisfies the conflicting ranges.',
    status: 422, userFault: true, exit: 1,
  },
});
