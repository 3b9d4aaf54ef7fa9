/**
 * A small HTTP server on 127.0.0.1 that serves a real store over the /v1 routes the remote client
 * uses, and misbehaves on demand (slow, 500, wrong bytes, cut mid-download), counting every
 * request: the far side of the upstream and remote-client tests until `pakt serve` is merged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openRegistry } from '../../providers/index.js';
import type { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { ERROR_CATALOGUE, toRegistryError } from '../../src/errors.js';

export type Fault = 'none' | 'slow' | 'error500' | 'wrong-bytes' | 'cut';

export interface FaultServer {
  url: string;
  requests: number;
  fault: Fault;
  /** Delay of the 'slow' fault, ms. */
  slowMs: number;
  /** Answer this many next requests with 503, then serve normally (retry tests). */
  failNext: number;
  /** Bearer token required when set. */
  token?: string;
  /** Authorization headers seen (to check the client sends the token). */
  authHeaders: string[];
  registry: CoreRegistryManager;
  close(): Promise<void>;
}

export async function startFaultServer(storeDir: string): Promise<FaultServer> {
  const registry = await openRegistry({ path: storeDir, fsync: false, audit: false, upstreams: [] });
  const state = { requests: 0, fault: 'none' as Fault, slowMs: 2_000, failNext: 0, authHeaders: [] as string[] } as FaultServer;
  const server = http.createServer((req, res) => {
    state.requests++;
    if (req.headers.authorization) state.authHeaders.push(req.headers.authorization);
    void handle(req, res).catch((err) => send(res, err));
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (state.token && req.headers.authorization !== `Bearer ${state.token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'E_REMOTE_AUTH_FAILED', message: 'bad token' } }));
      return;
    }
    if (state.failNext > 0) {
      state.failNext--;
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'E_META_UNAVAILABLE', message: 'busy' } }));
      return;
    }
    if (state.fault === 'slow') await new Promise((r) => setTimeout(r, state.slowMs));
    if (state.fault === 'error500') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'E_INTERNAL', message: 'boom' } }));
      return;
    }
    const url = new URL(req.url!, 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1') return send(res, null, 404);
    if (parts[1] === 'whoami') return json(res, 200, { user: 'tester', role: 'reader' });
    if (parts[1] === 'resolve' && req.method === 'POST') {
      const body = JSON.parse(await text(req)) as { requirements: Record<string, string> };
      return json(res, 200, await registry.resolveDependencies(body.requirements));
    }
    if (parts[1] !== 'packages') return send(res, null, 404);
    let rest = parts.slice(2);
    if (rest[0]?.startsWith('@') && !rest[0].includes('/') && rest.length > 1) rest = [`${rest[0]}/${rest[1]}`, ...rest.slice(2)];
    if (rest.length === 0 && req.method === 'GET') return json(res, 200, await registry.searchPackages(url.searchParams.get('q') ?? ''));
    if (rest.length === 0 && req.method === 'PUT') return json(res, 201, await registry.publishPackage(req));
    const [name, version, archive] = rest;
    if (rest.length === 1) return json(res, 200, await registry.listVersions(name!));
    if (rest.length === 2 && req.method === 'DELETE') return json(res, 200, { deleted: await registry.deletePackage(name!, version!) });
    if (rest.length === 2) return json(res, 200, await registry.getPackageInfo(name!, version!));
    if (archive === 'archive') {
      const record = await registry.getPackageInfo(name!, version!);
      const chunks: Buffer[] = [];
      for await (const c of await registry.downloadPackage(name!, record.version)) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length, etag: `"${record.digest}"` });
      if (state.fault === 'wrong-bytes') {
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 0xff;
        res.end(bytes);
      } else if (state.fault === 'cut') {
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
      } else res.end(bytes);
      return;
    }
    send(res, null, 404);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.registry = registry;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await registry.close();
  };
  return state;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function send(res: http.ServerResponse, err: unknown, status?: number): void {
  if (err === null) return json(res, status ?? 404, { error: { code: 'E_PACKAGE_NOT_FOUND', message: 'no such route' } });
  const e = toRegistryError(err);
  json(res, ERROR_CATALOGUE[e.code].status, { error: e.toJSON() });
}

async function text(req: http.IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += c;
  return s;
}
