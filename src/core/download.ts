/**
 * The download pipeline: lookup → open (the store verifies size and digest while streaming) →
 * account (download count, search popularity, audit) at the end of a verified stream.
 *
 * The accounting runs in the stream's flush, before the reader sees 'end': a reader that got a
 * clean end got every byte verified and counted. A mismatch fails the stream with
 * E_STORE_INTEGRITY instead (the store quarantines the blob), and downloadToFile then removes
 * its partial file, so no output file ever holds unverified bytes.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, lstat, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VersionRecord } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { recordAudit, type CoreContext } from './context.js';
import { findVersion } from './lookup.js';

export interface DownloadHooks {
  /** Called once the stream has ended with every byte verified and the download counted. */
  onDownloaded(record: VersionRecord): void;
}

/** Opens a verified stream of the archive of `name` at `versionOrRange`. */
export async function downloadPipeline(ctx: CoreContext, name: string, versionOrRange: string, hooks: DownloadHooks): Promise<Readable> {
  let record: VersionRecord | undefined;
  let source: Readable;
  try {
    record = await findVersion(ctx, name, versionOrRange);
    source = await ctx.storage.get(record.digest, record);
  } catch (err) {
    throw await failed(ctx, err, name, record);
  }
  const found = record;
  const accounted = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      account(ctx, found).then(
        () => {
          hooks.onDownloaded(found);
          callback();
        },
        (err: unknown) => callback(toRegistryError(err)),
      );
    },
  });
  // pipe() does not carry errors: a failed verification is audited, then handed to the reader.
  source.once('error', (err) => {
    void failed(ctx, err, name, found).then((coded) => accounted.destroy(coded));
  });
  // A reader that stops early releases the store's file handle.
  accounted.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return source.pipe(accounted);
}

/**
 * Writes the archive to `file`: into a temporary file beside it, renamed into place only after
 * the last byte was verified. On any failure the temporary file is removed and `file` is untouched.
 * With `overwrite` false an existing `file` is refused (E_OUTPUT_EXISTS), before the download and
 * again, atomically, when the file is put in place.
 */
export async function downloadToFilePipeline(ctx: CoreContext, name: string, versionOrRange: string, file: string, hooks: DownloadHooks, overwrite = true): Promise<VersionRecord> {
  if (!overwrite && (await lstat(path.resolve(file)).catch(() => undefined))) throw outputExists(path.resolve(file));
  let delivered: VersionRecord | undefined;
  const stream = await downloadPipeline(ctx, name, versionOrRange, {
    onDownloaded(record) {
      delivered = record;
      hooks.onDownloaded(record);
    },
  });
  const target = path.resolve(file);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await pipeline(stream, createWriteStream(partial, { flags: 'wx' }));
    if (!delivered) throw new RegistryError('E_INTERNAL', `download of ${name} ended without its verification completing`);
    if (overwrite) await rename(partial, target);
    else await placeUnlessPresent(partial, target);
    return delivered;
  } catch (err) {
    await rm(partial, { force: true });
    throw toRegistryError(err, 'E_INTERNAL', `writing ${target}`);
  }
}

/** A hard link fails on an existing name where a rename would replace it. */
async function placeUnlessPresent(partial: string, target: string): Promise<void> {
  try {
    await link(partial, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw outputExists(target);
    throw err;
  }
  await rm(partial, { force: true });
}

function outputExists(target: string): RegistryError {
  return new RegistryError('E_OUTPUT_EXISTS', `${target} already exists; nothing was written`, { path: target });
}

async function account(ctx: CoreContext, record: VersionRecord): Promise<void> {
  await ctx.metadata.addDownloads(record.name, 1);
  const count = (await ctx.metadata.getDownloads([record.name])).get(record.name) ?? 0;
  await ctx.searchBarrier();
  await ctx.search.setDownloads(new Map([[record.name, count]]));
  await recordAudit(ctx, { action: 'download', outcome: 'success', name: record.name, version: record.version, digest: record.digest, detail: { size: record.size } });
}

async function failed(ctx: CoreContext, err: unknown, name: string, record: VersionRecord | undefined): Promise<RegistryError> {
  const error = toRegistryError(err);
  await recordAudit(ctx, {
    action: 'download',
    outcome: 'failure',
    name,
    ...(record ? { version: record.version, digest: record.digest } : {}),
    code: error.code,
    message: error.message,
  }).catch((auditErr: unknown) => {
    error.details['auditError'] = auditErr instanceof Error ? auditErr.message : String(auditErr);
  });
  return error;
}
