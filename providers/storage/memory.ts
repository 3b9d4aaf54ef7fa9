/**
 * The in-memory storage provider: blobs in a Map, with the same rules as the disk store: put()
 * checks size and digest before the blob becomes visible, get() verifies while streaming and
 * quarantines a blob that fails, and putting an existing digest is a harmless success.
 *
 * `simulateCorruption` exists so that tests of the layers above (download, verify) can exercise
 * the integrity path on this provider too; it is a named method of the memory type only, not a
 * hidden branch in the contract methods.
 */
import { readFile, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CORE_VERSION,
  type BlobInfo,
  type Digest,
  type StorageProvider,
} from '../../src/contracts/index.js';
import { RegistryError, toRegistryError } from '../../src/errors.js';
import { assertDigest, digestOfBytes } from '../../src/util/digest.js';
import { createVerifyStream } from '../../src/util/verify-stream.js';
import { checkPutArguments, checkPutBytesArguments, putMismatchError } from './put-check.js';

export interface MemoryStorageOptions {
  /** Size of the chunks get() streams, in bytes (default 64 KiB); small values exercise streaming in tests. */
  chunkBytes?: number;
}

export interface QuarantinedBlob {
  digest: Digest;
  reason: string;
  bytes: Buffer;
}

export interface MemoryStorage extends StorageProvider {
  putBytes(digest: Digest, bytes: Uint8Array): Promise<void>;
  /** Replaces a stored blob's bytes without any check, as a failing disk would. For tests only. */
  simulateCorruption(digest: Digest, bytes: Uint8Array): void;
  /** Blobs moved aside by quarantine(), with the reason given. */
  quarantined(): QuarantinedBlob[];
}

export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option chunkBytes of the memory storage must be a positive integer, got ${String(options.chunkBytes)}`);
  }
  const blobs = new Map<Digest, { size: number; bytes: Buffer }>();
  const quarantine = new Map<Digest, QuarantinedBlob>();
  let closed = false;

  const open = (): void => {
    if (closed) throw new RegistryError('E_CLOSED', 'the in-memory storage was used after close()');
  };

  const moveToQuarantine = (digest: Digest, reason: string): void => {
    const blob = blobs.get(digest);
    if (!blob) return;
    blobs.delete(digest);
    quarantine.set(digest, { digest, reason, bytes: blob.bytes });
  };

  return {
    info: { name: 'memory', family: 'storage', coreRange: `^${CORE_VERSION}` },
    capabilities: { moveFromTemp: false, persistent: false },
    tempDir: undefined,

    async put(digest, size, sourcePath) {
      open();
      checkPutArguments(digest, size, sourcePath);
      let bytes: Buffer;
      try {
        bytes = await readFile(sourcePath);
      } catch (err) {
        throw toRegistryError(err, 'E_IO', `cannot read the file to store for ${digest}`);
      }
      if (bytes.length !== size) throw putMismatchError(digest, sourcePath, { size, foundSize: bytes.length });
      const found = digestOfBytes(bytes);
      if (found !== digest) throw putMismatchError(digest, sourcePath, { size, foundSize: bytes.length, foundDigest: found });
      if (!blobs.has(digest)) blobs.set(digest, { size, bytes });
      // The contract lets put() take the caller's temp file; removing it keeps behaviour the same
      // as the disk store, which renames it away.
      await unlink(sourcePath).catch(() => undefined);
    },

    async putBytes(digest, bytes) {
      open();
      checkPutBytesArguments(digest, bytes);
      const found = digestOfBytes(bytes);
      if (found !== digest) throw putMismatchError(digest, undefined, { size: bytes.length, foundSize: bytes.length, foundDigest: found });
      // A copy: the caller may reuse its buffer once the promise resolves.
      if (!blobs.has(digest)) blobs.set(digest, { size: bytes.length, bytes: Buffer.from(bytes) });
    },

    async get(digest) {
      open();
      assertDigest(digest);
      const blob = blobs.get(digest);
      if (!blob) {
        throw new RegistryError('E_STORE_BLOB_MISSING', `archive ${digest} is not in the in-memory store`, { expected: digest });
      }
      const { bytes, size } = blob;
      function* chunks(): Generator<Buffer> {
        for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
      }
      const verify = createVerifyStream({
        expectedDigest: digest,
        expectedSize: size,
        path: `memory:${digest}`,
        onMismatch: (reason) => moveToQuarantine(digest, `verification failed on read: ${reason}`),
      });
      const source = Readable.from(chunks(), { objectMode: false });
      source.on('error', (err) => verify.destroy(err));
      return source.pipe(verify);
    },

    async stat(digest): Promise<BlobInfo | undefined> {
      open();
      assertDigest(digest);
      const blob = blobs.get(digest);
      return blob ? { digest, size: blob.size } : undefined;
    },

    async delete(digest) {
      open();
      assertDigest(digest);
      return blobs.delete(digest);
    },

    async *list() {
      open();
      for (const [digest, blob] of [...blobs]) yield { digest, size: blob.size };
    },

    async quarantine(digest, reason) {
      open();
      assertDigest(digest);
      moveToQuarantine(digest, reason);
    },

    simulateCorruption(digest, bytes) {
      const blob = blobs.get(digest);
      if (!blob) throw new RegistryError('E_STORE_BLOB_MISSING', `archive ${digest} is not in the in-memory store`, { expected: digest });
      blob.bytes = Buffer.from(bytes);
    },

    quarantined() {
      return [...quarantine.values()].map((q) => ({ ...q }));
    },

    close() {
      closed = true;
      blobs.clear();
    },
  };
}

export default createMemoryStorage;
