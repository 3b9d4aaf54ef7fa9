/**
 * Writes a package archive deterministically with yazl: entries in byte order of their paths,
 * one fixed timestamp, one fixed mode, no extended-timestamp field. The same inputs give the
 * same bytes, hence the same digest. The archive goes to a temporary file next to its target,
 * is hashed on the way, and is renamed into place only when complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import yazl from 'yazl';
import type { Digest } from '../contracts/package.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { toDigest } from './digest.js';
import { comparePaths } from './manifest.js';

/**
 * DOS timestamps are local time, so the date is built from local fields: every time zone then
 * writes the same two bytes (1985-10-26 08:15:00, the date npm uses for the same reason).
 */
export const FIXED_MTIME = (): Date => new Date(1985, 9, 26, 8, 15, 0);
/** Regular file, rw-r--r--. */
export const FIXED_FILE_MODE = 0o100644;

export type ZipSource = { path: string } & ({ buffer: Buffer } | { file: string });

export interface ZipWriteOptions {
  /** Write ZIP64 records even where they are not needed (fixtures, tests). */
  forceZip64?: boolean;
  /** Stream every entry with a data descriptor instead of sizes in the local header (fixtures). */
  streamed?: boolean;
}

export async function writeDeterministicZip(entries: readonly ZipSource[], outFile: string, options: ZipWriteOptions = {}): Promise<{ digest: Digest; size: number }> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) throw new RegistryError('E_PKG_PATH_DUPLICATE', `'${sorted[i]!.path}' is given twice`, { path: sorted[i]!.path });
  }
  const zip = new yazl.ZipFile();
  const common = { mtime: FIXED_MTIME(), mode: FIXED_FILE_MODE, compress: true, forceDosTimestamp: true, forceZip64Format: options.forceZip64 === true };
  try {
    for (const entry of sorted) {
      if ('buffer' in entry && !options.streamed) zip.addBuffer(entry.buffer, entry.path, common);
      else if ('buffer' in entry) {
        const data = entry.buffer;
        zip.addReadStreamLazy(entry.path, common, (cb) => cb(null, Readable.from([data])));
      } else zip.addFile(entry.file, entry.path, common);
    }
  } catch (err) {
    throw new RegistryError('E_INVALID_ARGUMENT', `cannot add an entry to the archive: ${(err as Error).message}`, {}, { cause: err });
  }
  zip.end({ forceZip64Format: options.forceZip64 === true, comment: '' });

  const dir = path.dirname(path.resolve(outFile));
  const temp = path.join(dir, `.${path.basename(outFile)}.${randomBytes(6).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let size = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    zip.on('error', (err: unknown) => tee.destroy(err as Error));
    await pipeline(zip.outputStream, tee, createWriteStream(temp, { flags: 'wx' }));
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, outFile);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw toRegistryError(err, 'E_IO', `cannot write ${outFile}`);
  }
  return { digest: toDigest(hash.digest('hex')), size };
}
