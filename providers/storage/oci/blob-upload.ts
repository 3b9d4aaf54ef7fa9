/**
 * Blob uploads through the distribution API.
 *
 * - Small blobs go monolithically: POST for an upload URL, then one PUT of the bytes with
 *   `?digest=` (the form every registry accepts). The bytes are hashed before they are sent.
 * - Large blobs go in chunks: PATCH after PATCH with `Content-Range`, each chunk streamed from
 *   the file, hashed as it is read, then the closing PUT with `?digest=`. The file is never held
 *   in memory.
 * - After a dropped connection or a server error the upload resumes: a GET on the upload URL
 *   tells how many bytes the registry has, and the next chunk starts there (the hash state is
 *   kept at each chunk's start, and caught up from the file when the registry kept part of a
 *   chunk). Where the registry has forgotten the session or refuses to resume it (distribution
 *   cancels a session whose stored size differs from its signed state after a half-received
 *   PATCH), the upload starts over. Failures without progress are bounded by the retry policy.
 * - Local bytes that do not hash to the announced digest are never committed: the session is
 *   cancelled and E_STORE_PUT_MISMATCH thrown, so nothing becomes visible.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Digest } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { createDigestHash, digestFromHash } from '../../../src/util/digest.js';
import { repositoryScope } from './auth.js';
import { parseErrorBody, type RegistryClient } from './client.js';
import type { HttpResponse } from './http.js';
import { backoffDelay, isRetryable } from './retry.js';
import { putMismatchError } from '../put-check.js';

export type BlobSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'file'; readonly path: string; readonly size: number };

export interface UploadOptions {
  /** Blobs up to this size go in one request. */
  readonly monolithicMaxBytes: number;
  /** Size of each PATCH of a chunked upload (raised to the registry's OCI-Chunk-Min-Length). */
  readonly chunkBytes: number;
  /** Called after each chunk the registry accepted (tests, progress). */
  readonly onChunk?: (offset: number) => void;
}

/** HEAD of a blob in a repository: its size, or undefined when the repository does not link it. */
export async function headBlob(client: RegistryClient, repository: string, digest: Digest): Promise<number | undefined> {
  const res = await client.request({ method: 'HEAD', url: `${repository}/blobs/${digest}`, scope: repositoryScope(repository, 'pull'), expect: [200, 404], what: `looking up blob ${digest} in ${repository}` });
  res.discard();
  if (res.status === 404) return undefined;
  const size = Number(res.headers['content-length']);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/** Unlinks a blob from a repository; false when it was not linked. */
export async function deleteBlob(client: RegistryClient, repository: string, digest: Digest): Promise<boolean> {
  const res = await client.request({ method: 'DELETE', url: `${repository}/blobs/${digest}`, scope: repositoryScope(repository, 'delete'), expect: [200, 202, 204, 404, 405], what: `deleting blob ${digest} from ${repository}` });
  res.discard();
  // A registry that keeps blobs until its own garbage collection may refuse blob deletes; the
  // manifest delete already took the blob out of Pakt's view.
  return res.status !== 404 && res.status !== 405;
}

/**
 * Links a blob another repository of the registry has (a cross-repository mount); false when the
 * registry did not mount it (the session it opened instead is cancelled).
 */
export async function mountBlob(client: RegistryClient, repository: string, digest: Digest, from: string): Promise<boolean> {
  const url = client.url(`${repository}/blobs/uploads/`);
  url.searchParams.set('mount', digest);
  url.searchParams.set('from', from);
  const what = `mounting ${digest} into ${repository} from ${from}`;
  const res = await client.request({ method: 'POST', url, scope: `${repositoryScope(repository, 'pull,push')} ${repositoryScope(from, 'pull')}`, expect: [201, 202], idempotent: true, what });
  res.discard();
  if (res.status === 201) return true;
  await cancelSession(client, repository, uploadLocation(res, client.apiBase, what));
  return false;
}

function uploadLocation(res: HttpResponse, base: URL, what: string): URL {
  const location = res.headers.location;
  if (typeof location !== 'string' || location === '') throw new RegistryError('E_OCI_PROTOCOL', `${what}: the registry answered ${res.status} without a Location header`, { status: res.status });
  return new URL(location, base);
}

/** The offset after the last byte a `Range: 0-<end>` header says the registry has. */
function rangeEnd(res: HttpResponse): number | undefined {
  const range = res.headers.range;
  if (typeof range !== 'string') return undefined;
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  if (!m) return undefined;
  const end = Number(m[1]);
  // distribution writes "0-0" for an empty session as for a one-byte one; chunks are larger than one byte.
  return end === 0 ? 0 : end + 1;
}

async function startSession(client: RegistryClient, repository: string, what: string): Promise<{ location: URL; minChunk: number }> {
  // Safe to send again: a POST that did get through only leaves a session the registry expires.
  const res = await client.request({ method: 'POST', url: `${repository}/blobs/uploads/`, scope: repositoryScope(repository, 'pull,push'), expect: [202], idempotent: true, what });
  res.discard();
  const min = Number(res.headers['oci-chunk-min-length']);
  return { location: uploadLocation(res, client.apiBase, what), minChunk: Number.isSafeInteger(min) && min > 0 ? min : 0 };
}

async function cancelSession(client: RegistryClient, repository: string, location: URL): Promise<void> {
  await client.request({ method: 'DELETE', url: location, scope: repositoryScope(repository, 'pull,push'), expect: [200, 202, 204, 404], idempotent: false, what: 'cancelling an upload' })
    .then((res) => res.discard(), () => undefined);
}

function withDigest(location: URL, digest: Digest): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}

/** The closing PUT; a DIGEST_INVALID answer means the bytes were not the announced ones. */
async function commit(client: RegistryClient, repository: string, location: URL, digest: Digest, body: Buffer | undefined, what: string): Promise<void> {
  const res = await client.request({
    method: 'PUT', url: withDigest(location, digest), scope: repositoryScope(repository, 'pull,push'), expect: [201, 204, 400, 404],
    headers: body ? { 'content-type': 'application/octet-stream' } : {}, ...(body ? { body } : {}), idempotent: false, what,
  });
  if (res.status === 404) {
    res.discard();
    // The registry lost the session (restarted without a fixed secret, or expired it): the whole
    // put may be run again.
    throw new RegistryError('E_REMOTE_UNAVAILABLE', `${what}: the registry no longer knows the upload session (404)`, { retryable: true, status: 404 });
  }
  if (res.status === 400) {
    const text = await res.text(64 * 1024).catch(() => '');
    const codes = parseErrorBody(text).map((e) => e.code);
    if (codes.includes('DIGEST_INVALID') || codes.includes('SIZE_INVALID')) {
      throw new RegistryError('E_STORE_PUT_MISMATCH', `${what}: the registry found that the bytes sent do not hash to ${digest} (${codes.join(', ')}); nothing was stored`, { expected: digest, registryCodes: codes });
    }
    throw new RegistryError('E_OCI_REJECTED', `${what}: the registry refused the upload with 400 (${codes.join(', ') || 'no code'})`, { status: 400, registryCodes: codes });
  }
  res.discard();
  const named = res.headers['docker-content-digest'];
  if (typeof named === 'string' && named !== digest) {
    throw new RegistryError('E_OCI_PROTOCOL', `${what}: the registry stored the blob as ${named}, not ${digest}`, { expected: digest, found: named });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Uploads a blob whose digest the caller announces. Resolves once the registry holds it under
 * that digest in `repository`.
 */
export async function uploadBlob(client: RegistryClient, repository: string, digest: Digest, source: BlobSource, options: UploadOptions): Promise<void> {
  const size = source.kind === 'bytes' ? source.bytes.length : source.size;
  const what = `uploading ${digest} (${size} bytes) to ${repository}`;
  if (source.kind === 'bytes' || size <= options.monolithicMaxBytes) {
    const bytes = source.kind === 'bytes' ? Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.length) : await readSmallFile(source.path, size, digest);
    const hash = createDigestHash().update(bytes);
    const found = digestFromHash(hash);
    if (found !== digest) throw putMismatchError(digest, source.kind === 'file' ? source.path : undefined, { size, foundSize: bytes.length, foundDigest: found });
    return retryWhole(client, repository, digest, what, async () => {
      const { location } = await startSession(client, repository, what);
      await commit(client, repository, location, digest, bytes, what);
    });
  }
  return chunkedUpload(client, repository, digest, source.path, size, options, what);
}

async function readSmallFile(path: string, size: number, digest: Digest): Promise<Buffer> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw new RegistryError('E_IO', `cannot read the file to store for ${digest}: ${(err as Error).message}`, { path }, { cause: err });
  });
  try {
    const bytes = Buffer.alloc(size + 1);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== size) throw putMismatchError(digest, path, { size, foundSize: got });
    return bytes.subarray(0, size);
  } finally {
    await handle.close();
  }
}

/** Runs a whole small upload again after a retryable failure, unless the blob landed meanwhile. */
async function retryWhole(client: RegistryClient, repository: string, digest: Digest, what: string, attempt: () => Promise<void>): Promise<void> {
  const policy = client.retryPolicy;
  const started = Date.now();
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const delay = backoffDelay(policy, tryNumber);
      if (tryNumber >= policy.attempts || Date.now() - started + delay > policy.maxElapsedMs) {
        (err as RegistryError).details['attempts'] = tryNumber;
        throw err;
      }
      await sleep(delay);
      // The closing PUT may have been carried out although its answer was lost.
      if ((await headBlob(client, repository, digest).catch(() => undefined)) !== undefined) return;
    }
  }
}

/** A pass-through that feeds every byte to `hash`. */
function hashing(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/** Hashes bytes [start, end) of a file into `hash`. */
async function hashRange(hash: Hash, path: string, start: number, end: number): Promise<void> {
  if (end <= start) return;
  for await (const chunk of createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
}

async function chunkedUpload(client: RegistryClient, repository: string, digest: Digest, path: string, size: number, options: UploadOptions, what: string): Promise<void> {
  const policy = client.retryPolicy;
  let session = await startSession(client, repository, what);
  let location = session.location;
  let offset = 0;
  /** The hash of bytes [0, offset): what the registry has confirmed. */
  let hash = createDigestHash();
  let failures = 0;
  let lastProgress = Date.now();
  const fail = async (err: unknown): Promise<never> => {
    await cancelSession(client, repository, location);
    throw err;
  };

  while (offset < size) {
    const start = offset;
    const end = Math.min(size, start + Math.max(options.chunkBytes, session.minChunk));
    // The body may be opened twice (an authentication challenge sends the request again): each
    // opening hashes into its own copy, and only the accepted one is kept.
    let sent: Hash | undefined;
    try {
      const res = await client.request({
        method: 'PATCH', url: location, scope: repositoryScope(repository, 'pull,push'), expect: [202, 416],
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end - 1}` },
        body: () => {
          sent = hash.copy();
          return createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 }).pipe(hashing(sent));
        },
        contentLength: end - start, idempotent: false, what: `${what}: bytes ${start}-${end - 1}`,
      });
      res.discard();
      if (res.status === 416) throw new RegistryError('E_OCI_PROTOCOL', `${what}: the registry refused the range ${start}-${end - 1} (416)`, { resumable: true });
      const confirmed = rangeEnd(res);
      if (confirmed !== undefined && confirmed !== end) throw new RegistryError('E_OCI_PROTOCOL', `${what}: the registry confirmed bytes up to ${confirmed}, not ${end}`, { resumable: true });
      location = uploadLocation(res, location, what);
      hash = sent!;
      offset = end;
      failures = 0;
      lastProgress = Date.now();
      options.onChunk?.(offset);
      continue;
    } catch (first) {
      let err = first;
      if (!isRetryable(err) && !(err instanceof RegistryError && err.details['resumable'] === true)) await fail(err);
      // Resume: ask the registry what it has, and go on from there (or start over).
      for (;;) {
        failures++;
        const delay = backoffDelay(policy, failures);
        if (failures >= policy.attempts || Date.now() - lastProgress + delay > policy.maxElapsedMs) {
          if (err instanceof RegistryError) err.details['attempts'] = failures;
          await fail(err);
        }
        await sleep(delay);
        let status: HttpResponse;
        try {
          status = await client.request({ method: 'GET', url: location, scope: repositoryScope(repository, 'pull,push'), expect: [200, 204, 400, 404], idempotent: false, what: `${what}: asking how much the registry has` });
        } catch (statusErr) {
          if (!isRetryable(statusErr)) await fail(statusErr);
          err = statusErr;
          continue;
        }
        status.discard();
        const has = status.status === 204 || status.status === 200 ? rangeEnd(status) : undefined;
        if (has === undefined || has > size) {
          // The session is gone or cannot be resumed: start again from the first byte.
          try {
            session = await startSession(client, repository, what);
          } catch (startErr) {
            if (!isRetryable(startErr)) throw startErr;
            err = startErr;
            continue;
          }
          location = session.location;
          offset = 0;
          hash = createDigestHash();
          break;
        }
        if (typeof status.headers.location === 'string') location = new URL(status.headers.location, location);
        // Catch the hash up with what the registry kept (part of the failed chunk, or less).
        const from = has >= start ? start : 0;
        const caughtUp = from === start ? hash.copy() : createDigestHash();
        await hashRange(caughtUp, path, from, has);
        hash = caughtUp;
        offset = has;
        break;
      }
    }
  }
  const found = digestFromHash(hash.copy());
  if (found !== digest) await fail(putMismatchError(digest, path, { size, foundSize: size, foundDigest: found }));
  // The closing PUT, again after a failure, unless the registry turns out to have the blob (the
  // answer to a PUT that was carried out can be lost).
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      await commit(client, repository, location, digest, undefined, what);
      return;
    } catch (err) {
      if (!isRetryable(err)) await fail(err);
      const delay = backoffDelay(policy, tryNumber);
      if (tryNumber >= policy.attempts || Date.now() - lastProgress + delay > policy.maxElapsedMs) {
        (err as RegistryError).details['attempts'] = tryNumber;
        await fail(err);
      }
      await sleep(delay);
      if ((await headBlob(client, repository, digest).catch(() => undefined)) === size) return;
    }
  }
}
