/**
 * A worked example of a third-party storage provider (docs/providers.md walks through it).
 *
 * Blobs are plain files named by their hex digest in one folder: `<dir>/<64 hex>`. It is the
 * smallest provider that honours the whole StorageProvider contract: put() takes the caller's
 * temp file (checking its size) and makes it durable, get() verifies size and digest while
 * streaming and quarantines a blob that fails, and writing a digest twice is harmless.
 *
 * It imports pakt by its package name, as your project would; its test, flat-storage.test.ts
 * beside it, runs the storage conformance suite against it and publishes and downloads through a
 * CoreRegistryManager with it (in this repository, and in CI against the packed package).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { CORE_VERSION, RegistryError, type BlobInfo, type Digest, type StorageProvider } from 'pakt';

export interface FlatStorageOptions {
  /** The folder holding the blobs; created if missing. */
  dir: string;
}

const HEX = /^[0-9a-f]{64}$/;

export function createFlatStorage(options: FlatStorageOptions): StorageProvider {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    // Factories refuse bad options at once, with the option named.
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `dir` of createFlatStorage');
  }
  const dir = path.resolve(options.dir);
  const tempDir = path.join(dir, '.tmp');
  const quarantineDir = path.join(dir, '.quarantine');
  // tempDir must exist once the factory returns: callers write into it straight away.
  mkdirSync(tempDir, { recursive: true });
  let closed = false;

  const hexOf = (digest: Digest): string => {
    const hex = digest.slice('sha256:'.length);
    if (!digest.startsWith('sha256:') || !HEX.test(hex)) throw new RegistryError('E_INVALID_ARGUMENT', `'${digest}' is not a sha256 digest`);
    return hex;
  };
  const fileOf = (digest: Digest): string => path.join(dir, hexOf(digest));
  const check = (): void => {
    if (closed) throw new RegistryError('E_CLOSED', `flat storage ${dir} was used after close()`);
  };

  const provider: StorageProvider = {
    info: { name: 'flat', family: 'storage', coreRange: `^${CORE_VERSION}` },
    capabilities: { moveFromTemp: true, persistent: true },
    // The manager writes incoming archives here, so put() is a rename on the same filesystem.
    tempDir,

    async put(digest, size, sourcePath) {
      check();
      const target = fileOf(digest);
      const info = await stat(sourcePath);
      if (info.size !== size) {
        throw new RegistryError('E_STORE_PUT_MISMATCH', `${sourcePath} is ${info.size} bytes, the caller announced ${size} for ${digest}`, { expected: size, found: info.size });
      }
      await mkdir(dir, { recursive: true });
      // Durable before visible: flush the file, then rename, then flush the folder.
      const handle = await open(sourcePath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(sourcePath, target); // onto an existing digest: same bytes, harmless
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        await copyFile(sourcePath, target);
        await unlink(sourcePath);
      }
      const folder = await open(dir, 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    },

    async get(digest) {
      check();
      const file = fileOf(digest);
      const info = await stat(file).catch(() => undefined);
      if (!info) throw new RegistryError('E_STORE_BLOB_MISSING', `archive ${digest} is not in ${dir}`, { path: file });
      return verifying(createReadStream(file), file, digest, info.size, () => provider.quarantine(digest, 'failed verification on read'));
    },

    async stat(digest) {
      check();
      const info = await stat(fileOf(digest)).catch(() => undefined);
      return info?.isFile() ? { digest, size: info.size } : undefined;
    },

    async delete(digest) {
      check();
      try {
        await unlink(fileOf(digest));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },

    async *list(): AsyncIterable<BlobInfo> {
      check();
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!HEX.test(name)) continue; // .tmp, .quarantine
        const info = await stat(path.join(dir, name)).catch(() => undefined);
        if (info?.isFile()) yield { digest: `sha256:${name}`, size: info.size };
      }
    },

    async quarantine(digest, reason) {
      await mkdir(quarantineDir, { recursive: true });
      const hex = hexOf(digest);
      await rename(path.join(dir, hex), path.join(quarantineDir, `${hex}.${Date.now()}`)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      // Keep the reason beside it for whoever inspects the quarantine.
      await writeFile(path.join(quarantineDir, `${hex}.reason.txt`), `${new Date().toISOString()} ${reason}\n`, { flag: 'a' });
    },

    async close() {
      closed = true;
      await rm(tempDir, { recursive: true, force: true });
    },
  };
  return provider;
}

/** Passes bytes through while counting and hashing them; fails instead of ending on a mismatch. */
function verifying(source: Readable, file: string, digest: Digest, size: number, onMismatch: () => Promise<void>): Readable {
  const hash = createHash('sha256');
  let seen = 0;
  const fail = (why: string, callback: (err: Error) => void): void => {
    void onMismatch().finally(() => callback(new RegistryError('E_STORE_INTEGRITY', `stored archive ${file} ${why}, not ${digest}; it was quarantined`, { path: file, expected: digest })));
  };
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size) return fail(`is longer than its recorded ${size} bytes`, callback);
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (seen !== size) return fail(`is ${seen} bytes, not ${size}`, callback);
      const found = `sha256:${hash.digest('hex')}`;
      if (found !== digest) return fail(`hashes to ${found}`, callback);
      callback();
    },
  });
  source.on('error', (err) => check.destroy(err));
  return source.pipe(check);
}
