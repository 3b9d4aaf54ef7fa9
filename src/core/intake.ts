/**
 * Intake, the first step of publish and validate: the input (a path, bytes or a stream) is
 * streamed into a temporary file in the manager's work folder, hashed and measured on the way,
 * and cut off at limits.maxArchiveBytes. A whole archive is never held in memory (a Buffer input
 * is already in memory: it is written out, not copied).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Digest } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { writeStreamToTempFile } from '../util/write-stream-to-temp.js';
import type { CoreContext } from './context.js';
import type { PublishInput } from './types.js';

export interface IntakeResult {
  tempPath: string;
  digest: Digest;
  size: number;
}

export async function intakeToTempFile(ctx: CoreContext, input: PublishInput): Promise<IntakeResult> {
  const source = await openInput(input, ctx.limits.maxArchiveBytes);
  const maxBytes = ctx.limits.maxArchiveBytes;
  const written = await writeStreamToTempFile(source, ctx.temp.dir, {
    maxBytes,
    limitError: (_max, seen) => tooLarge(`the package stream passed ${seen} bytes`, maxBytes, { found: seen }),
  });
  return { tempPath: written.path, digest: written.digest, size: written.size };
}

async function openInput(input: PublishInput, maxBytes: number): Promise<Readable> {
  if (typeof input === 'string') {
    const info = await stat(input).catch((err: NodeJS.ErrnoException) => {
      throw new RegistryError('E_INPUT_NOT_FOUND', `cannot read package file '${input}': ${err.code ?? err.message}`, { path: input }, { cause: err });
    });
    if (!info.isFile()) throw new RegistryError('E_INPUT_NOT_FOUND', `'${input}' is not a file; give the path of a .zip package`, { path: input });
    if (info.size > maxBytes) {
      throw tooLarge(`package file '${input}' is ${info.size} bytes`, maxBytes, { path: input, found: info.size });
    }
    return createReadStream(input, { highWaterMark: 1024 * 1024 });
  }
  if (input instanceof Uint8Array) return Readable.from([Buffer.from(input.buffer, input.byteOffset, input.byteLength)], { objectMode: false });
  if (input instanceof Readable) return input;
  throw new RegistryError('E_INVALID_ARGUMENT', `publishPackage takes a file path, a Buffer or a Readable, got ${input === null ? 'null' : typeof input}`);
}

function tooLarge(what: string, maxBytes: number, details: { path?: string; found: number }): RegistryError {
  return new RegistryError('E_STORE_INPUT_TOO_LARGE', `${what}, more than limits.maxArchiveBytes (${maxBytes} bytes); publish a smaller archive or raise the limit`, {
    ...details,
    limit: { name: 'maxArchiveBytes', value: maxBytes },
  });
}
