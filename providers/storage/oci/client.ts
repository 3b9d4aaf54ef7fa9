/**
 * The registry client: one authenticated, retried request at a time. It adds the Authorization
 * header (auth.ts), answers a 401 challenge once, follows redirects for reads (without the
 * Authorization header once the origin changes, as object stores behind registries expect),
 * retries what may be retried (network failures, 408, 429, 5xx) when the request is idempotent,
 * and turns every other answer the caller did not expect into a coded error. Every error that
 * leaves here has been scrubbed of secrets.
 */
import { isRegistryError, RegistryError } from '../../../src/errors.js';
import { Authenticator, type Scope } from './auth.js';
import type { Redactor } from './credentials.js';
import { HttpTransport, shownUrl, type HttpResponse, type RequestBody } from './http.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A URL, or a path relative to /v2/ (`pakt/demo/manifests/1.0.0`). */
  readonly url: URL | string;
  readonly scope: Scope;
  /** Statuses handed back to the caller; anything else is an error. */
  readonly expect: readonly number[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly contentLength?: number;
  /** Safe to send again after a failure (default: GET, HEAD, PUT of a manifest, DELETE are; POST and PATCH are not). */
  readonly idempotent?: boolean;
  /** What the request is for, in words, for messages: `reading the manifest of pakt/demo:1.0.0`. */
  readonly what: string;
}

export interface RegistryErrorBody {
  readonly code: string;
  readonly message: string;
}

const MAX_REDIRECTS = 5;

/** The distribution errors of a JSON error body: `{"errors":[{"code","message"}]}`, codes only when unreadable. */
export function parseErrorBody(text: string): RegistryErrorBody[] {
  try {
    const json = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(json.errors)) return [];
    return json.errors.slice(0, 5).map((e: unknown) => {
      const r = (e ?? {}) as Record<string, unknown>;
      return { code: typeof r['code'] === 'string' ? r['code'].slice(0, 60) : 'UNKNOWN', message: typeof r['message'] === 'string' ? r['message'].slice(0, 200) : '' };
    });
  } catch {
    return [];
  }
}

function describeErrors(errors: readonly RegistryErrorBody[]): string {
  return errors.length === 0 ? '' : ` (${errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')})`;
}

function retryAfterMs(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  if (typeof v !== 'string') return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export interface RegistryClientOptions {
  readonly apiBase: URL;
  readonly registry: string;
  readonly transport: HttpTransport;
  readonly auth: Authenticator;
  readonly redactor: Redactor;
  readonly retry: RetryPolicy;
}

export class RegistryClient {
  /** Requests sent by method, retries and challenges included (tests and benches read them). */
  readonly sent: Record<string, number> = {};

  constructor(private readonly options: RegistryClientOptions) {}

  get apiBase(): URL {
    return this.options.apiBase;
  }

  get retryPolicy(): RetryPolicy {
    return this.options.retry;
  }

  url(path: string): URL {
    return new URL(path, this.options.apiBase);
  }

  /** Scrubs secrets from an error about to leave the provider. */
  scrub<E>(err: E): E {
    return this.options.redactor.scrub(err);
  }

  /** Sends a request (retrying when allowed) and returns the answer, whose status is one of `expect`. */
  async request(req: RegistryRequest): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? (req.method !== 'POST' && req.method !== 'PATCH');
    try {
      if (!idempotent) return await this.once(req);
      return await withRetry(this.options.retry, () => this.once(req), {
        retryAfterMs: (err) => (isRegistryError(err, 'E_REMOTE_UNAVAILABLE') ? err.details.retryAfterMs : undefined),
      });
    } catch (err) {
      throw this.scrub(err);
    }
  }

  /** One try: authorization, at most one answered challenge, redirects for reads. */
  private async once(req: RegistryRequest): Promise<HttpResponse> {
    let url = typeof req.url === 'string' ? this.url(req.url) : req.url;
    let retriedAuth = false;
    let sameOrigin = true;
    for (let hop = 0; ; ) {
      const headers: Record<string, string> = { 'user-agent': 'pakt-oci', ...(req.headers ?? {}) };
      const authorization = sameOrigin ? await this.options.auth.header(req.scope) : undefined;
      if (authorization) headers['authorization'] = authorization;
      this.sent[req.method] = (this.sent[req.method] ?? 0) + 1;
      const res = await this.options.transport.send({ method: req.method, url, headers, ...(req.body !== undefined ? { body: req.body } : {}), ...(req.contentLength !== undefined ? { contentLength: req.contentLength } : {}) });
      if (res.status === 401 && sameOrigin && !req.expect.includes(401)) {
        res.discard();
        await this.options.auth.challenged(res.headers['www-authenticate'], req.scope, retriedAuth, req.what);
        retriedAuth = true;
        continue;
      }
      if ([301, 302, 303, 307, 308].includes(res.status) && (req.method === 'GET' || req.method === 'HEAD') && !req.expect.includes(res.status)) {
        res.discard();
        const location = res.headers.location;
        if (typeof location !== 'string' || ++hop > MAX_REDIRECTS) throw new RegistryError('E_OCI_PROTOCOL', `${req.what}: ${res.status} redirect ${typeof location === 'string' ? 'loop' : 'without a Location'} at ${shownUrl(url)}`, { status: res.status });
        const next = new URL(location, url);
        sameOrigin = sameOrigin && next.origin === url.origin;
        url = next;
        continue;
      }
      if (req.expect.includes(res.status)) return res;
      throw await this.statusError(req, res);
    }
  }

  /** The coded error for an answer nobody expected. */
  async statusError(req: Pick<RegistryRequest, 'method' | 'what'>, res: HttpResponse): Promise<RegistryError> {
    const text = req.method === 'HEAD' ? '' : await res.text(64 * 1024).catch(() => '');
    const errors = parseErrorBody(text);
    const said = describeErrors(errors);
    const details = { status: res.status, registryCodes: errors.map((e) => e.code), host: this.options.registry };
    const s = res.status;
    if (s === 403) return new RegistryError('E_REMOTE_DENIED', `${req.what}: ${this.options.registry} answered 403 Forbidden${said}`, details);
    if (s === 408 || s === 429 || s >= 500) {
      const wait = retryAfterMs(res);
      return new RegistryError('E_REMOTE_UNAVAILABLE', `${req.what}: ${this.options.registry} answered ${s}${said}`, { ...details, retryable: true, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
    }
    if (s === 400 || s === 405 || s === 413 || s === 415 || s === 409) {
      return new RegistryError('E_OCI_REJECTED', `${req.what}: ${this.options.registry} refused it with ${s}${said}`, details);
    }
    return new RegistryError('E_OCI_PROTOCOL', `${req.what}: ${this.options.registry} answered ${s}, which the protocol does not give here${said}`, details);
  }

  /** GET /v2/: checks that the address is a registry and learns its authentication scheme (no token is fetched yet). */
  async ping(): Promise<void> {
    const what = `checking ${shownUrl(this.options.apiBase)}`;
    let res: HttpResponse;
    try {
      res = await this.request({ method: 'GET', url: '', scope: '', expect: [200, 401], what });
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'E_OCI_PROTOCOL' || err.code === 'E_OCI_REJECTED')) {
        throw this.scrub(new RegistryError('E_OCI_NOT_A_REGISTRY', `${shownUrl(this.options.apiBase)} is not an OCI distribution registry: ${err.message}`, { host: this.options.registry }, { cause: err }));
      }
      throw err;
    }
    res.discard();
    if (res.status === 401) this.options.auth.learn(res.headers['www-authenticate']);
  }
}
