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
  E_AUDIT_TAMPERED: {
    meaning: 'The audit log does not check out: a record was edited, removed or reordered after it was written (its hash chain is broken).',
    hint: 'Keep the log as it is for investigation; `pakt verify --json` lists the first broken records. Compare with a backup or an anchored head hash.',
    status: 500, userFault: false, exit: 1,
  },
  E_REGISTRY_NOT_FOUND: {
    meaning: 'The folder given as the store (--store, $PAKT_STORE or ./.pakt) holds no pakt store.',
    hint: 'Run `pakt init` to create the store there, or point --store (or PAKT_STORE) at an existing one.',
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
  E_STORE_BLOB_NOT_FILE: {
    meaning: 'Where an archive should be, the store holds something that is not a regular file (a symbolic link, a FIFO, a device or a folder). Pakt never makes such entries there, and it did not read or follow it.',
    hint: 'Look at the path named in the message and remove it by hand (it is not an archive Pakt wrote), then publish the package again from a good copy of its archive.',
    status: 500, userFault: false, exit: 1,
  },
  E_STORE_PUT_MISMATCH: {
    meaning: 'The file handed to the archive store does not have the size or digest its caller announced; nothing was stored.',
    hint: 'This is a fault in the caller (the file changed after it was hashed, or a bug); retry the publish, and report it if it repeats.',
    status: 500, userFault: false, exit: 1,
  },
  E_STORE_INPUT_TOO_LARGE: {
    meaning: 'A stream being written into the store went past the byte limit set for it; the partial file was removed.',
    hint: 'Send a smaller input, or raise the limit named in the message (e.g. limits.maxArchiveBytes).',
    status: 413, userFault: true, exit: 1,
  },
  E_STORE_LAYOUT_NEWER: {
    meaning: 'The archive store uses an on-disk layout newer than this version of pakt understands (e.g. content-v2).',
    hint: 'Upgrade pakt to the version that wrote this store; this version leaves it untouched.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_CORRUPT: {
    meaning: 'The metadata database file is not a SQLite database or is damaged; it was left untouched, not recreated empty.',
    hint: 'Restore registry.db from a backup, or move it aside and rebuild the metadata from the stored archives with `pakt verify`.',
    status: 500, userFault: false, exit: 1,
  },
  E_META_SCHEMA_NEWER: {
    meaning: 'The metadata database was written by a newer pakt, with a schema this version does not know.',
    hint: 'Upgrade pakt to the version that wrote this store (the message names both schema versions).',
    status: 500, userFault: false, exit: 1,
  },
  E_META_BUSY: {
    meaning: 'The metadata database stayed locked by another process for longer than the busy timeout, even after retries.',
    hint: 'Retry; if it persists, look for a process holding the store open in a long operation, or raise busyTimeoutMs.',
    status: 503, userFault: false, exit: 1,
  },
  E_META_CONFLICT: {
    meaning: 'A stored document (a trust root, a token, the policy, ...) was changed by another writer between reading it and writing it back; nothing of this write was stored.',
    hint: 'Run the command again: it reads the current state first.',
    status: 409, userFault: true, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface RegistryErrorDetails {
  E_STORE_INTEGRITY: {
    /** The size recorded for the blob, and the size read before the mismatch was found. */
    expectedSize?: number;
    foundSize?: number;
    /** Moving the bad blob to quarantine failed too: why. */
    quarantineError?: string;
  };
  E_STORE_PUT_MISMATCH: {
    expectedSize?: number;
    foundSize?: number;
    /** A remote store's own error codes for the refusal (an OCI registry's DIGEST_INVALID). */
    registryCodes?: string[];
  };
  /** A store on a database server: the schema (in `database`) that holds no store, or a newer one. */
  E_REGISTRY_NOT_FOUND: { schema?: string };
  E_META_SCHEMA_NEWER: { schema?: string };
}
