/**
 * Faults during uploads, against the real registry: the registry killed mid-upload (and left
 * down, or started again while the put retries), and connections dropped by a proxy, before a
 * chunk's first byte (the upload resumes where the registry is) or in the middle of one
 * (distribution cancels such a session: the upload starts over). Whatever happens a put either
 * succeeds or fails with a coded, retryable error, and nothing half-stored is visible.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OciStorage } from '../../../../providers/storage/oci/index.js';
import type { BlobInfo, Digest } from '../../../../src/contracts/index.js';
import { RegistryError } from '../../../../src/errors.js';
import { digestOfBytes } from '../../../../src/util/digest.js';
import { createOciStorage } from '../../../../providers/storage/oci/index.js';
import { api, disposeScratch, errorOf, namespace, putBuffer, readAll, storageOn } from './helpers.js';
import { skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';

const skip = skipRegistrySuites();
const CHUNKED = { monolithicMaxBytes: 64 * 1024, chunkBytes: 256 * 1024 };

async function listAll(s: OciStorage): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const b of s.list()) out.push(b);
  return out;
}

function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      if (condition()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(t);
        reject(new Error('condition not met in time'));
      }
    }, 2);
  });
}

/** What a put must end in when the registry fails under it: success, or a coded retryable error. */
function expectSuccessOrRetryable(outcome: unknown): void {
  if (outcome === undefined) return;
  expect(outcome, String(outcome)).toBeInstanceOf(RegistryError);
  expect((outcome as RegistryError).details['retryable'], String(outcome)).toBe(true);
  expect(['E_REMOTE_NETWORK', 'E_REMOTE_UNAVAILABLE']).toContain((outcome as RegistryError).code);
}

/**
 * A TCP proxy in front of the registry. `dropNext` cuts the next connection that sends a PATCH:
 * 'before' closes it before anything reaches the registry, 'middle' once half the chunk went.
 */
async function startProxy(target: number): Promise<{ port: number; dropNext(mode: 'before' | 'middle'): void; dropped: number; close(): Promise<void> }> {
  let pending: 'before' | 'middle' | undefined;
  const state = { dropped: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(upstream);
    let forwarded = 0;
    let cutting: 'before' | 'middle' | undefined;
    const cut = (): void => {
      state.dropped++;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (data: Buffer) => {
      if (!cutting && pending && data.subarray(0, 6).toString() === 'PATCH ') {
        cutting = pending;
        pending = undefined;
        forwarded = 0;
        if (cutting === 'before') return cut();
      }
      if (cutting === 'middle') {
        forwarded += data.length;
        if (forwarded > 128 * 1024) {
          upstream.write(data.subarray(0, Math.max(0, data.length - (forwarded - 128 * 1024))), () => setTimeout(cut, 50));
          cutting = undefined;
          client.pause();
          return;
        }
      }
      upstream.write(data);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    dropNext: (mode) => void (pending = mode),
    get dropped() {
      return state.dropped;
    },
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

describe.skipIf(skip)('OCI storage: faults during uploads', () => {
  let server: RegistryServer;
  beforeAll(async () => {
    server = await startRegistry();
  });
  afterAll(async () => {
    await server?.dispose();
    await disposeScratch();
  });

  it('the registry killed mid-upload and left down: a coded, retryable error after the retries allowed; nothing visible once it is back', async () => {
    const s = storageOn(server, namespace('killed'), { ...CHUNKED, retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 3000 } });
    const owner = { name: 'big', version: '1.0.0' };
    const bytes = randomBytes(4 * 1024 * 1024);
    const put = errorOf(putBuffer(s, bytes, owner));
    await waitFor(() => (s.counters().byMethod['PATCH'] ?? 0) >= 2);
    await server.stop('SIGKILL');
    const err = await put;
    expect(err).toBeInstanceOf(RegistryError);
    expectSuccessOrRetryable(err);
    // Bounded in count (the bound in time is checked with a fake clock in reference.test.ts).
    expect((err as RegistryError).details['attempts']).toBeLessThanOrEqual(4);
    await server.start();
    expect(await s.stat(digestOfBytes(bytes), owner)).toBeUndefined();
    expect(await listAll(s)).toEqual([]);
    expect((await api(server, `${s.location.namespace}/big/manifests/1.0.0`, { method: 'HEAD' })).status).toBe(404);
    s.close();
  });

  it('the registry killed mid-upload and started again: the put goes on and stores the archive whole', async () => {
    const s = storageOn(server, namespace('restarted'), { ...CHUNKED, retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 20_000 } });
    const owner = { name: 'big', version: '1.0.0' };
    const bytes = randomBytes(4 * 1024 * 1024);
    const put = errorOf(putBuffer(s, bytes, owner));
    await waitFor(() => (s.counters().byMethod['PATCH'] ?? 0) >= 3);
    await server.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 400));
    await server.start();
    expect(await put).toBeUndefined();
    expect((await readAll(s, digestOfBytes(bytes), owner)).equals(bytes)).toBe(true);
    expect(await listAll(s)).toEqual([{ digest: digestOfBytes(bytes), size: bytes.length, owner }]);
    s.close();
  });

  it('kill-and-restart loop: every put succeeds or fails retryably, and each archive is either whole or absent', async () => {
    const s = storageOn(server, namespace('loop'), { ...CHUNKED, retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 1500 } });
    const results: Array<{ digest: Digest; bytes: Buffer; owner: { name: string; version: string } }> = [];
    for (let i = 0; i < 6; i++) {
      const owner = { name: 'loop', version: `1.0.${i}` };
      const bytes = randomBytes(2 * 1024 * 1024 + i);
      results.push({ digest: digestOfBytes(bytes), bytes, owner });
      const put = errorOf(putBuffer(s, bytes, owner));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      await server.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 400)));
      await server.start();
      expectSuccessOrRetryable(await put);
    }
    const listed = await listAll(s);
    for (const r of results) {
      const info = await s.stat(r.digest, r.owner);
      if (info) {
        expect((await readAll(s, r.digest, r.owner)).equals(r.bytes)).toBe(true);
        expect(listed).toContainEqual({ digest: r.digest, size: r.bytes.length, owner: r.owner });
      } else {
        expect(listed.map((b) => b.digest)).not.toContain(r.digest);
      }
    }
    s.close();
  });

  it('a connection dropped before a chunk reached the registry: the upload resumes in the same session', async () => {
    const proxy = await startProxy(server.port);
    try {
      const s = createOciStorage({ url: `oci://127.0.0.1:${proxy.port}/${namespace('resume')}`, credentials: 'anonymous', ...CHUNKED, retry: { attempts: 5, baseDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 5000 } });
      const owner = { name: 'r', version: '1.0.0' };
      const bytes = randomBytes(2 * 1024 * 1024);
      const put = putBuffer(s, bytes, owner);
      await waitFor(() => (s.counters().byMethod['PATCH'] ?? 0) >= 2);
      proxy.dropNext('before');
      await put;
      expect(proxy.dropped).toBe(1);
      // One session: resumed, not started over (one POST for the blob, one for the config blob).
      expect(s.counters().byMethod['POST']).toBe(2);
      expect((await readAll(s, digestOfBytes(bytes), owner)).equals(bytes)).toBe(true);
      s.close();
    } finally {
      await proxy.close();
    }
  });

  it('a connection dropped in the middle of a chunk: the registry cancels that session, the upload starts over and lands whole', async () => {
    const proxy = await startProxy(server.port);
    try {
      const s = createOciStorage({ url: `oci://127.0.0.1:${proxy.port}/${namespace('restart')}`, credentials: 'anonymous', ...CHUNKED, retry: { attempts: 5, baseDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 5000 } });
      const owner = { name: 'm', version: '1.0.0' };
      const bytes = randomBytes(2 * 1024 * 1024);
      const put = putBuffer(s, bytes, owner);
      await waitFor(() => (s.counters().byMethod['PATCH'] ?? 0) >= 2);
      proxy.dropNext('middle');
      await put;
      expect(proxy.dropped).toBe(1);
      // The blob's session, the config blob's, and the session started over.
      expect(s.counters().byMethod['POST']).toBe(3);
      expect((await readAll(s, digestOfBytes(bytes), owner)).equals(bytes)).toBe(true);
      expect(await listAll(s)).toEqual([{ digest: digestOfBytes(bytes), size: bytes.length, owner }]);
      s.close();
    } finally {
      await proxy.close();
    }
  });
});
