/**
 * Reading a blob as a stream that survives a dropped connection: when the body breaks before
 * `size` bytes came, the read goes on with `Range: bytes=<received>-` (a registry that ignores
 * the range and sends it all has the bytes already received skipped), within the retry policy.
 * The bytes are not checked here; the storage wraps this stream in its verification.
 */
import type { Digest } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { repositoryScope } from './auth.js';
import type { RegistryClient } from './client.js';
import { networkError, type HttpResponse } from './http.js';
import { backoffDelay, isRetryable } from './retry.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The first answer to a blob GET, or undefined when the repository does not have the blob. */
export async function openBlob(client: RegistryClient, repository: string, digest: Digest): Promise<HttpResponse | undefined> {
  const res = await client.request({ method: 'GET', url: `${repository}/blobs/${digest}`, scope: repositoryScope(repository, 'pull'), expect: [200, 404], what: `reading blob ${digest} from ${repository}` });
  if (res.status === 404) {
    res.discard();
    return undefined;
  }
  return res;
}

/**
 * The bytes of a blob whose first answer is `first`, `expectedSize` of them (more or fewer make
 * the verification downstream fail; this only resumes a body that broke off).
 */
export async function* blobBytes(client: RegistryClient, repository: string, digest: Digest, first: HttpResponse, expectedSize: number): AsyncGenerator<Uint8Array> {
  const policy = client.retryPolicy;
  let received = 0;
  let res: HttpResponse | undefined = first;
  let failures = 0;
  let lastProgress = Date.now();
  try {
    for (;;) {
      let skip = 0;
      if (res.status === 200 && received > 0) skip = received;
      try {
        for await (const chunk of res.body) {
          let c = chunk as Buffer;
          if (skip > 0) {
            const take = Math.min(skip, c.length);
            skip -= take;
            c = c.subarray(take);
            if (c.length === 0) continue;
          }
          received += c.length;
          failures = 0;
          lastProgress = Date.now();
          yield c;
        }
        return;
      } catch (err) {
        res.body.destroy();
        res = undefined;
        if (received >= expectedSize) throw networkError({ method: 'GET', url: first.url }, err, 'while the blob was read');
        let last: unknown = networkError({ method: 'GET', url: first.url }, err, `after ${received} of ${expectedSize} bytes`);
        while (res === undefined) {
          failures++;
          const delay = backoffDelay(policy, failures);
          if (failures >= policy.attempts || Date.now() - lastProgress + delay > policy.maxElapsedMs) {
            if (last instanceof RegistryError) last.details['attempts'] = failures;
            throw last;
          }
          await sleep(delay);
          try {
            const next = await client.request({
              method: 'GET', url: `${repository}/blobs/${digest}`, scope: repositoryScope(repository, 'pull'), expect: [200, 206, 404],
              headers: { range: `bytes=${received}-` }, what: `reading blob ${digest} from ${repository} from byte ${received}`,
            });
            if (next.status === 404) {
              next.discard();
              throw new RegistryError('E_STORE_BLOB_MISSING', `blob ${digest} was removed from ${repository} while it was being read`, { expected: digest });
            }
            if (next.status === 206) {
              const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(next.headers['content-range'] ?? ''));
              if (!m || Number(m[1]) !== received) {
                next.discard();
                throw new RegistryError('E_OCI_PROTOCOL', `reading blob ${digest} from ${repository}: asked from byte ${received}, the registry sent Content-Range ${String(next.headers['content-range'] ?? 'none')}`);
              }
            }
            res = next;
          } catch (again) {
            if (!isRetryable(again)) throw again;
            last = again;
          }
        }
      }
    }
  } finally {
    res?.body.destroy();
  }
}
