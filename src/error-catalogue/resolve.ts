import type { UnsatisfiableDetails } from '../resolve/types.js';
import { defineErrors } from './spec.js';

/** Dependency resolution (SPEC §3). Owned by the resolver work. */
export const RESOLVE_ERRORS = defineErrors({
  E_UNSATISFIABLE: {
    meaning: 'No set of versions, one per package name, satisfies every dependency range; the message explains why step by step, and details.kind says whether a package is missing (package-not-found), no version is in a range (no-version-in-range), only prereleases are (only-prereleases-in-range), or requirements clash (conflict).',
    hint: 'Read the explanation from the top: each numbered step is used further down, the last line ends at your requirements. Relax a root range, or publish a version that satisfies the ranges named; a prerelease needs a range that names a prerelease of the same version (e.g. ^1.0.0-beta.1).',
    status: 422, userFault: true, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface ResolveErrorDetails {
  E_UNSATISFIABLE: UnsatisfiableDetails;
}
