/**
 * The registry's own state beside its versions — trust roots, signatures, policy, exemptions,
 * users, tokens, visibility rules, the audit head, the bundle ledger, upstreams — kept as small
 * JSON documents under (kind, key) in the metadata store, so that every capability built on them
 * works on any metadata backend (SQLite, PostgreSQL, a host's own) that offers this one facet.
 *
 * Each capability owns its kinds (documented where it is built: a kind is a name such as
 * `trust-root` or `token`), and reads and writes them through a typed module of its own in src/;
 * nothing but that module interprets a kind's values.
 */

/** One stored document. */
export interface StoredDocument<T = unknown> {
  readonly kind: string;
  readonly key: string;
  /** The JSON value as written (a deep copy: changing it changes nothing stored). */
  readonly value: T;
  /** 1 when first written; each later write of the same (kind, key) adds one. */
  readonly revision: number;
  /** ISO-8601 UTC time of the last write, as the provider's clock saw it. */
  readonly updatedAt: string;
}

/**
 * One write of a batch. `expectRevision` makes it conditional (compare-and-set): the document's
 * current revision must equal it, 0 meaning "must not exist"; otherwise the whole batch fails
 * with E_META_CONFLICT and nothing of it is written.
 */
export type DocumentWrite =
  | { readonly op: 'put'; readonly kind: string; readonly key: string; readonly value: unknown; readonly expectRevision?: number }
  | { readonly op: 'delete'; readonly kind: string; readonly key: string; readonly expectRevision?: number };

export interface DocumentListOptions {
  /** Only keys that start with this string. */
  prefix?: string;
  /** Only keys after this one (keyset paging: pass the last key of the previous page). */
  after?: string;
  /** At most this many (default: all). */
  limit?: number;
}

/**
 * Rules every implementation keeps (the metadata conformance suite checks each):
 * - kind: 1–64 characters of `a-z 0-9 -`, starting with a letter; key: 1–1,024 characters, no
 *   NUL; value: JSON (null, booleans, finite numbers, strings, arrays, plain objects), at most
 *   1 MiB as JSON text. Anything else is refused with E_INVALID_ARGUMENT before anything is written.
 * - list() orders by key in Unicode code point order (UTF-8 byte order; SQLite BINARY and
 *   PostgreSQL "C" collation), so paging with `after` is the same on every backend.
 * - write() applies a batch whole or not at all, even against other processes; a delete of an
 *   absent document is a no-op (unless its expectRevision says it must exist).
 */
export interface DocumentStore {
  get(kind: string, key: string): Promise<StoredDocument | undefined>;
  list(kind: string, options?: DocumentListOptions): Promise<StoredDocument[]>;
  write(writes: readonly DocumentWrite[]): Promise<void>;
}
