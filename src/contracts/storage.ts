import type { Readable } from 'node:stream';
import type { Digest } from './package.js';
import type { Provider } from './provider.js';

/**
 * The package an archive belongs to. An archive holds its own metadata.json, so a digest has
 * exactly one owner. The core passes it wherever it knows it; a provider may use it to place the
 * blob (an OCI registry: repository `<namespace>/<name>`, tag `<version>`), and may ignore it.
 */
export interface BlobOwner {
  readonly name: string;
  readonly version: string;
}

export interface StorageCapabilities {
  /** put() of a local file is a rename: the file must be on the store's filesystem (see tempDir). */
  readonly moveFromTemp: boolean;
  /** Data outlives close(). */
  readonly persistent: boolean;
  /**
   * Optional, default false: put, putBytes and get need the owner (the blob's place depends on
   * it). The core then stores an archive only once validation has named its owner, and always
   * passes the owner where it has one.
   */
  readonly ownerRequired?: boolean;
}

export interface BlobInfo {
  digest: Digest;
  size: number;
  /** The owner, where the provider knows it (an owner-placed store always does). */
  owner?: BlobOwner;
}

/**
 * The archive store: immutable blobs addressed by the sha256 of their bytes.
 * Writing a digest that is already there is a harmless success. Reads verify: a blob whose bytes
 * no longer hash to its digest makes the stream fail with E_STORE_INTEGRITY and is quarantined.
 */
export interface StorageProvider extends Provider {
  readonly capabilities: StorageCapabilities;

  /**
   * A folder for temporary files that put() can take without copying (same filesystem), or
   * undefined when the provider has no preference (the manager then uses the OS temp folder).
   */
  readonly tempDir: string | undefined;

  /**
   * Stores the local file at `sourcePath`, whose bytes the caller has already hashed to `digest`
   * and measured as `size`. The provider may move the file (it is the caller's temp file) and
   * must check size (and may check the digest) before the blob becomes visible.
   * After put() resolves, the blob is durable (fsync'd where the medium allows).
   */
  put(digest: Digest, size: number, sourcePath: string, owner?: BlobOwner): Promise<void>;

  /**
   * Optional: stores a small archive the caller holds in memory (publish holds archives up to
   * SMALL_ARCHIVE_BYTES of src/limits.ts, 1 MiB, whole), with the same guarantees as put(): after it resolves the blob is durable, and
   * storing a digest that is already there is a harmless success. Without it, the manager writes
   * the bytes to a temp file and calls put().
   */
  putBytes?(digest: Digest, bytes: Uint8Array, owner?: BlobOwner): Promise<void>;

  /**
   * A stream of the blob's bytes, verified while streaming: size first, then digest at the end.
   * Fails with E_STORE_BLOB_MISSING when absent, E_STORE_INTEGRITY (stream error) on mismatch.
   */
  get(digest: Digest, owner?: BlobOwner): Promise<Readable>;

  /** Size of the stored blob, or undefined when absent. Does not verify the bytes. */
  stat(digest: Digest, owner?: BlobOwner): Promise<BlobInfo | undefined>;

  /** Removes a blob; true when it existed. */
  delete(digest: Digest, owner?: BlobOwner): Promise<boolean>;

  /** Every stored blob (not quarantined ones). */
  list(): AsyncIterable<BlobInfo>;

  /** Moves a blob out of the way after it failed verification; it is kept for inspection, not deleted. */
  quarantine(digest: Digest, reason: string, owner?: BlobOwner): Promise<void>;
}
