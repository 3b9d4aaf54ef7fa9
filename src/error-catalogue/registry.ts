import { defineErrors } from './spec.js';

/**
 * The registry: versions, lookups, the archive store (E_STORE_*) and the metadata store (E_META_*).
 * Owned by the core work; add rows here, then run `npm run docs:errors`.
 */
export const REGISTRY_ERRORS = defineErrors({
  E_VERSION_EXISTS: {
    meaning: 'A different archive is already published under this name@version; published versions are immutable.',
    hint: 'Bump the version in metadata.json and publish again (republishing identical bytes is allowed).',
    status: 409, userFault: true, exit: 1,
  },
  E_PACKAGE_NOT_FOUND: {
    meaning: 'No package of this name is in the registry.',
    hint: 'Check the spelling (try `pakt search <name>`), or publish the package first.',
    status: 404, userFault: true, exit: 1,
  },
  E_VERSION_NOT_FOUND: {
    meaning: 'The package exists but no published version matches the requested version or range.',
    hint: 'Run `pakt versions <name>` to see what is published.',
    status: 404, userFault: true, exit: 1,
  },
  E_STORE_INTEGRITY: {
    meaning: 'A stored archive does not match its digest: its bytes changed on disk after publishing.',
    hint: 'The blob was quarantined. Run `pakt verify`, then republish the package from a good copy.',
    status: 500, userFault: false, exit: 1,
  },
  E_STORE_BLOB_MISSING: {
    meaning: 'Metadata refers to an archive that the store no longer has.',
    hint: 'Run `pakt verify` to list every missing archive, then republish them from good copies.',
    status: 500, userFault: false, exit: 1,
  },
});
