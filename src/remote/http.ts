/**
 * One HTTP exchange with a Pakt server: the bearer token, the error envelope turned back into a
 * RegistryError with the server's code, and retries with backoff for idempotent requests on
 * network errors and 5xx/429. fetch (undici) keeps connections alive between requests.
 */
import { RegistryError, isErrorCode, type ErrorCode } from '../errors.js';

export interface HttpOptions {
  baseUrl: string;
  token?: string;
  /** Tries for an idempotent request, the first included (default 3). */
  attempts?: number;
  /** First backoff, doubled each retry (default 100 ms). */
  backoffMs?: number;
  /** Per request, until the answer's headers (default 30,000 ms). */
  timeoutMs?: number;
}

export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again (reads, the resolve POST, a delete). */
  idempotent: boolean;
}

export class HttpClient {
  constructor(private readonly options: HttpOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async request(spec: RequestSpec): Promise<Response> {
    const attempts = spec.idempotent ? (this.options.attempts ?? 3) : 1;
    let last: RegistryError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep((this.options.backoffMs ?? 100) * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await fetch(this.options.baseUrl + spec.path, {
          method: spec.method,
          headers: { ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}), ...spec.headers },
          ...(spec.body !== undefined ? { body: spec.body as never, duplex: 'half' } : {}),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        } as RequestInit);
      } catch (err) {
        // undici's messages name the URL and the cause, never the headers; still, never the token.
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        last = new RegistryError('E_REMOTE_NETWORK', `${spec.method} ${this.options.baseUrl}${spec.path}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { retryable: true, attempts: attempt });
        continue;
      }
      if (response.ok) return response;
      const error = await envelopeError(response, spec, this.options.baseUrl);
      if ((response.status >= 500 || response.status === 429) && attempt < attempts) {
        last = error;
        continue;
      }
      throw error;
    }
    throw last!;
  }

  async json<T>(spec: RequestSpec): Promise<T> {
    const response = await this.request(spec);
    try {
      return (await response.json()) as T;
    } catch {
      throw new RegistryError('E_REMOTE_UNAVAILABLE', `${spec.method} ${this.options.baseUrl}${spec.path}: the answer is not JSON`, { retryable: true });
    }
  }
}

/** The server's `{"error":{"code","message","hint"?}}` as a RegistryError with the same code. */
async function envelopeError(response: Response, spec: RequestSpec, base: string): Promise<RegistryError> {
  let body: { error?: { code?: unknown; message?: unknown; hint?: unknown } & Record<string, unknown> } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const e = body?.error;
  if (e && isErrorCode(e.code)) {
    const { code: _c, message, ...rest } = e;
    return new RegistryError(e.code as ErrorCode, typeof message === 'string' ? message : `${response.status}`, { ...rest } as never);
  }
  const where = `${spec.method} ${base}${spec.path}`;
  if (response.status === 401) return new RegistryError('E_REMOTE_AUTH_FAILED', `${where}: 401 (the server refused the credentials, or needs some)`);
  if (response.status === 403) return new RegistryError('E_REMOTE_DENIED', `${where}: 403`);
  if (response.status === 404) return new RegistryError('E_PACKAGE_NOT_FOUND', `${where}: 404`);
  return new RegistryError('E_REMOTE_UNAVAILABLE', `${where}: HTTP ${response.status}`, { retryable: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
