/**
 * One HTTP exchange over node:http(s) with keep-alive connections: a connect timeout, an idle
 * timeout (no byte either way for that long), and bodies that are streamed, never buffered. A
 * failure to talk at all becomes E_REMOTE_NETWORK (retryable); statuses are the caller's to judge.
 *
 * A body is a Buffer or a function that opens a fresh stream, so an exchange can be sent again
 * after an authentication challenge or a retry.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { RegistryError } from '../../../src/errors.js';

export type RequestBody = Buffer | (() => Readable);

export interface HttpExchange {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Bytes the body has, for Content-Length; required for a stream body. */
  readonly contentLength?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
  /** The body as it arrives. Read it, or call discard(): a body left alone holds its connection. */
  readonly body: IncomingMessage;
  /** The body's bytes, at most `limit` (more fails with E_OCI_PROTOCOL). */
  bytes(limit?: number): Promise<Buffer>;
  /** The body as UTF-8 text, at most `limit` bytes. */
  text(limit?: number): Promise<string>;
  /** Throws the body away (the connection goes back to the pool). */
  discard(): void;
}

export interface TransportOptions {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxSockets: number;
  /** Extra CA certificates (PEM) to trust for https, on top of the system's. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** false accepts any certificate (a self-signed test registry); default true. */
  readonly rejectUnauthorized: boolean;
}

/** A URL as it may appear in messages: no query (upload URLs carry opaque state), no credentials. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (is the service running on that port?)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

export function networkError(exchange: { method: string; url: URL }, err: unknown, during: string): RegistryError {
  const sys = err as NodeJS.ErrnoException;
  const code = typeof sys?.code === 'string' ? sys.code : undefined;
  const why = (code && NETWORK_WORDS[code]) ?? (sys instanceof Error ? sys.message : String(err));
  return new RegistryError('E_REMOTE_NETWORK', `${exchange.method} ${shownUrl(exchange.url)} failed ${during}: ${why}`, {
    retryable: true,
    host: exchange.url.host,
    ...(code ? { syscallCode: code } : {}),
  }, { cause: err });
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: TransportOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      rejectUnauthorized: options.rejectUnauthorized,
      ...(options.ca !== undefined ? { ca: options.ca as string | Buffer | Array<string | Buffer> } : {}),
    });
  }

  send(exchange: HttpExchange): Promise<HttpResponse> {
    const { url } = exchange;
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string> = { ...(exchange.headers ?? {}) };
    const body = exchange.body;
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    else if (body !== undefined) {
      if (exchange.contentLength === undefined) throw new RegistryError('E_INTERNAL', 'a streamed request body needs its content length');
      headers['content-length'] = String(exchange.contentLength);
    } else if (exchange.method === 'PUT' || exchange.method === 'POST' || exchange.method === 'PATCH') headers['content-length'] = '0';

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (err: unknown, during: string): void => {
        if (connectTimer) clearTimeout(connectTimer);
        if (settled) return;
        settled = true;
        reject(err instanceof RegistryError ? err : networkError(exchange, err, during));
      };
      const req = (isHttps ? https : http).request(url, {
        method: exchange.method,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          const e = Object.assign(new Error(`no connection within ${this.options.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' });
          req.destroy(e);
        }, this.options.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('secureConnect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(this.options.idleTimeoutMs, () => {
        req.destroy(Object.assign(new Error(`nothing was sent or received for ${this.options.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      req.on('error', (err) => fail(err, 'before an answer came'));
      req.on('response', (res) => {
        if (connectTimer) clearTimeout(connectTimer);
        if (settled) {
          res.resume();
          return;
        }
        settled = true;
        // A connection that breaks while the body streams surfaces as an error of the body.
        res.on('error', () => undefined);
        resolve(makeResponse(exchange, res));
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        let source: Readable;
        try {
          source = body();
        } catch (err) {
          req.destroy();
          fail(err, 'opening the body');
          return;
        }
        source.on('error', (err) => {
          req.destroy(err);
          fail(err instanceof RegistryError ? err : new RegistryError('E_IO', `cannot read the body of ${exchange.method} ${shownUrl(url)}: ${(err as Error).message}`, {}, { cause: err }), 'reading the body');
        });
        req.on('close', () => source.destroy());
        source.pipe(req);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function makeResponse(exchange: HttpExchange, res: IncomingMessage): HttpResponse {
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    url: exchange.url,
    body: res,
    async text(limit = 1024 * 1024) {
      return (await this.bytes(limit)).toString('utf8');
    },
    async bytes(limit = 1024 * 1024) {
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res) {
          size += (chunk as Buffer).length;
          if (size > limit) {
            res.destroy();
            throw new RegistryError('E_OCI_PROTOCOL', `the answer to ${exchange.method} ${shownUrl(exchange.url)} is longer than ${limit} bytes`, { limit: { name: 'responseBytes', value: limit } });
          }
          chunks.push(chunk as Buffer);
        }
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        throw networkError(exchange, err, 'while the answer was read');
      }
      return Buffer.concat(chunks);
    },
    discard() {
      // A short body is read to its end so that the connection can be reused; a long one is cut.
      const length = Number(res.headers['content-length'] ?? NaN);
      if (exchange.method === 'HEAD' || res.statusCode === 204 || (Number.isFinite(length) && length <= 64 * 1024)) res.resume();
      else res.destroy();
    },
  };
}
