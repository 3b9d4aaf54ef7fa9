import { defineErrors } from './spec.js';

/**
 * The package format (SPEC §1-2): archive structure, paths, JSON documents, names, versions,
 * ranges, and packing. Owned by the format work; add rows here, then run `npm run docs:errors`.
 */
export const PACKAGE_ERRORS = defineErrors({
  E_PKG_NAME_INVALID: {
    meaning: 'A package name does not follow the name grammar: lowercase letters, digits, `.`, `_`, `-`, optionally `@scope/`, at most 214 characters.',
    hint: 'Rename the package, e.g. `my-plugin` or `@acme/my-plugin`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_VERSION_INVALID: {
    meaning: 'A version is not strict SemVer 2.0.0 (three numeric parts, optional -prerelease and +build; no `v` prefix).',
    hint: 'Use a version such as `1.2.3` or `1.2.3-beta.1`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_RANGE_INVALID: {
    meaning: 'A version range is neither a node-semver range nor the comma form (`>=1.0.0,<2.0.0`).',
    hint: 'Use a range such as `^1.2.0`, `~1.2`, `>=1.0.0 <2.0.0` or `>=1.0.0,<2.0.0`.',
    status: 422, userFault: true, exit: 1,
  },
});
