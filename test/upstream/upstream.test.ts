import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../providers/index.js';
import type { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { buildPackage } from '../../src/package/pack.js';
import { UpstreamRegistry } from '../../src/upstream/index.js';
import { readUpstreams, writeUpstreams, normalizeUpstream } from '../../src/upstream/config.js';
import { expectCode } from '../helpers/expect-code.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';

let dir: string;
const open: CoreRegistryManager[] = [];
const servers: FaultServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pakt-upstream-'));
});
afterEach(async () => {
  for (const r of open.splice(0)) await r.close().catch(() => undefined);
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function store(name: string, packages: Array<{ name: string; version: string; dependencies?: Record<string, string> }>): Promise<string> {
  const root = path.join(dir, name);
  const r = await openRegistry({ path: root, fsync: false, upstreams: [] });
  for (const p of packages) {
    const file = path.join(dir, `${name}-${p.name}-${p.version}.zip`);
    await buildPackage({ metadata: { name: p.name, version: p.version, ...(p.dependencies ? { dependencies: p.dependencies } : {}) }, files: { 'index.js': `// ${p.name} ${p.version}\n` } }, file);
    await r.publishPackage(file);
  }
  await r.close();
  return root;
}

async function reg(root: string, options: Parameters<typeof openRegistry>[0] extends infer O ? Partial<Exclude<O, string>> : never = {}): Promise<UpstreamRegistry> {
  const r = await openRegistry({ path: root, fsync: false, ...(options as object) });
  open.push(r);
  expect(r).toBeInstanceOf(UpstreamRegistry);
  return r as UpstreamRegistry;
}

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('upstreams that are stores on disk', () => {
  it('falls through in priority order, pulls the archive through as cached, and serves it locally afterwards', async () => {
    const far = await store('far', [{ name: 'lib', version: '1.0.0' }, { name: 'lib', version: '2.1.0' }]);
    const near = await store('near', [{ name: 'lib', version: '1.0.0' }]);
    const local = await store('local', [{ name: 'app', version: '1.0.0', dependencies: { lib: '^2.0.0' } }]);
    const r = await reg(local, { upstreams: [{ location: far, priority: 200 }, { location: near, priority: 10 }] });
    expect((await r.listVersions('lib')).versions.map((v) => v.version)).toEqual(['2.1.0', '1.0.0']);
    expect((await r.resolveDependency('app', '1.0.0')).solution).toEqual({ app: '1.0.0', lib: '2.1.0' });
    const pulled: string[] = [];
    r.upstreams.on('pulled', (e) => pulled.push(`${e.upstream}:${e.name}@${e.version}`));
    await bytesOf(await r.downloadPackage('lib', '1.0.0'));
    await bytesOf(await r.downloadPackage('lib', '^2'));
    expect(pulled).toEqual([`${near}:lib@1.0.0`, `${far}:lib@2.1.0`]);
    expect(await r.isCached('lib', '2.1.0')).toBe(true);
    expect(await r.isCached('app', '1.0.0')).toBe(false);
    await r.close();
    // Now local, without any upstream: the archive was kept.
    const plain = await openRegistry({ path: local, fsync: false, upstreams: [] });
    open.push(plain);
    expect((await plain.listVersions('lib')).versions.map((v) => v.version)).toEqual(['2.1.0', '1.0.0']);
  });

  it('publishes to the local store only', async () => {
    const far = await store('far', []);
    const local = await store('local', []);
    const r = await reg(local, { upstreams: [far] });
    const file = path.join(dir, 'p.zip');
    await buildPackage({ metadata: { name: 'mine', version: '1.0.0' }, files: { a: 'a' } }, file);
    await r.publishPackage(file);
    const upstream = await openRegistry({ path: far, upstreams: [] });
    open.push(upstream);
    await expectCode(() => upstream.getPackageInfo('mine'), 'E_PACKAGE_NOT_FOUND');
  });

  it('gc --cached evicts cached versions least recently used first and never authored ones', async () => {
    const far = await store('far', [{ name: 'a', version: '1.0.0' }, { name: 'b', version: '1.0.0' }]);
    const local = await store('local', [{ name: 'mine', version: '1.0.0' }]);
    const r = await reg(local, { upstreams: [far] });
    await bytesOf(await r.downloadPackage('a', '1.0.0'));
    await new Promise((res) => setTimeout(res, 5));
    await bytesOf(await r.downloadPackage('b', '1.0.0'));
    const dry = await r.gcCached({ maxBytes: 0, dryRun: true });
    expect(dry.evicted.map((e) => e.name)).toEqual(['a', 'b']);
    expect(await r.isCached('a', '1.0.0')).toBe(true);
    const sizeB = (await r.getPackageInfo('b', '1.0.0')).size;
    const done = await r.gcCached({ maxBytes: sizeB });
    expect(done.evicted.map((e) => e.name)).toEqual(['a']);
    expect(done.kept).toBe(1);
    const all = await r.gcCached({ olderThanMs: 0 });
    expect(all.evicted.map((e) => e.name)).toEqual(['b']);
    expect((await r.getPackageInfo('mine')).version).toBe('1.0.0');
    expect(await r.isCached('b', '1.0.0')).toBe(false);
  });

  it('offline: lists only what the store holds, names the upstream in E_NOT_IN_STORE and in resolution', async () => {
    const far = await store('far', [{ name: 'lib', version: '1.0.0' }, { name: 'lib', version: '2.1.0' }]);
    const local = await store('local', [{ name: 'app', version: '1.0.0', dependencies: { lib: '^2.0.0' } }]);
    const online = await reg(local, { upstreams: [far] });
    await bytesOf(await online.downloadPackage('lib', '1.0.0'));
    await online.close();
    const r = await reg(local, { upstreams: [far], offline: true });
    expect((await r.listVersions('lib')).versions.map((v) => v.version)).toEqual(['1.0.0']);
    expect((await r.getPackageInfo('lib')).version).toBe('1.0.0');
    const missing = await expectCode(() => r.getPackageInfo('lib', '2.1.0'), 'E_NOT_IN_STORE');
    expect(missing.details.upstream).toBe(far);
    expect(missing.message).toContain(far);
    await expectCode(() => r.downloadPackage('lib', '^2'), 'E_NOT_IN_STORE');
    const unsat = await expectCode(() => r.resolveDependency('app', '1.0.0'), 'E_UNSATISFIABLE');
    expect(unsat.details.kind).toBe('not-in-store');
    expect(unsat.message).toContain(`lib 2.1.0 matches but is not in this store; it is on ${far}`);
    const search = await r.searchPackages('lib');
    expect(search.items.map((i) => i.name)).toEqual(['lib']);
  });

  it('keeps its upstream list in the store folder and refuses bad entries', async () => {
    const local = await store('local', []);
    await writeUpstreams(local, [normalizeUpstream({ location: 'http://127.0.0.1:1/', priority: 5, tokenEnv: 'UP_TOKEN' })]);
    expect(await readUpstreams(local)).toEqual([{ location: 'http://127.0.0.1:1', priority: 5, tokenEnv: 'UP_TOKEN' }]);
    const bad = await expectCode(() => normalizeUpstream({ location: 'https://user:s3cret-pw@example.com' }), 'E_UPSTREAM_INVALID');
    expect(bad.message).not.toContain('s3cret-pw');
    await expectCode(() => normalizeUpstream({ location: 'ftp://x' }), 'E_UPSTREAM_INVALID');
    await expectCode(() => normalizeUpstream({ location: local, priority: -1 }), 'E_UPSTREAM_INVALID');
    await expectCode(() => normalizeUpstream({ location: local, tokenEnv: 'A-B' }), 'E_UPSTREAM_INVALID');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(local, 'upstreams.json'), '{"upstreams": 3}');
    await expectCode(() => readUpstreams(local), 'E_UPSTREAM_CONFIG');
  });
});

describe('upstreams over HTTP (a real server on 127.0.0.1)', () => {
  async function setup() {
    const farDir = await store('far', [{ name: 'lib', version: '1.0.0' }]);
    const backupDir = await store('backup', [{ name: 'lib', version: '1.0.0' }]);
    const server = await startFaultServer(farDir);
    servers.push(server);
    const local = await store('local', []);
    return { server, backupDir, local };
  }

  for (const fault of ['error500', 'wrong-bytes', 'cut', 'slow'] as const) {
    it(`an upstream that ${fault === 'error500' ? 'answers 500' : fault === 'slow' ? 'is slow' : fault === 'cut' ? 'goes away mid-download' : 'sends bytes of the wrong digest'} falls through to the next; nothing wrong is cached`, async () => {
      const { server, backupDir, local } = await setup();
      const r = await reg(local, { upstreams: [{ location: server.url, priority: 1 }, { location: backupDir, priority: 2 }], upstreamOptions: { timeoutMs: 500 } });
      // The metadata is fetched healthy; the fault hits the archive.
      await r.getPackageInfo('lib', '^1');
      server.fault = fault;
      server.slowMs = 1_500;
      const failures: string[] = [];
      r.upstreams.on('failure', (f) => failures.push(f.code));
      const bytes = await bytesOf(await r.downloadPackage('lib', '1.0.0'));
      expect(bytes.length).toBe((await r.getPackageInfo('lib', '1.0.0')).size);
      expect(failures.length).toBeGreaterThan(0);
      const stats = r.upstreams.stats();
      expect(stats[0]!.failures).toBeGreaterThan(0);
      expect(stats[0]!.lastError).toBeDefined();
    });
  }

  it('with no good upstream it fails coded and keeps nothing', async () => {
    const { server, local } = await setup();
    const r = await reg(local, { upstreams: [server.url], upstreamOptions: { timeoutMs: 500 } });
    await r.getPackageInfo('lib', '1.0.0');
    server.fault = 'wrong-bytes';
    const err = await expectCode(() => r.downloadPackage('lib', '1.0.0'), 'E_UPSTREAM_INTEGRITY');
    expect(err.details.upstream).toBe(server.url);
    expect(await r.isCached('lib', '1.0.0')).toBe(false);
    server.fault = 'cut';
    await expectCode(() => r.downloadPackage('lib', '1.0.0'), 'E_UPSTREAM_UNAVAILABLE');
    const plain = await openRegistry({ path: local, upstreams: [] });
    open.push(plain);
    await expectCode(() => plain.getPackageInfo('lib'), 'E_PACKAGE_NOT_FOUND');
  });

  it('metadata is cached for its TTL: a cache hit makes no request', async () => {
    const { server, local } = await setup();
    const r = await reg(local, { upstreams: [server.url] });
    await r.listVersions('lib');
    const after = server.requests;
    await r.listVersions('lib');
    await r.getPackageInfo('lib', '^1');
    expect(server.requests).toBe(after);
    expect(r.upstreams.stats()[0]!.cacheHits).toBe(2);
  });

  it('opens the circuit after repeated failures and then skips the upstream without a request', async () => {
    const { server, local } = await setup();
    server.fault = 'error500';
    const r = await reg(local, { upstreams: [server.url], upstreamOptions: { breakerThreshold: 2, breakerCooldownMs: 60_000, metadataTtlMs: 0 } });
    const circuit: string[] = [];
    r.upstreams.on('circuit', (c) => circuit.push(c.state));
    await expectCode(() => r.listVersions('lib'), 'E_UPSTREAM_UNAVAILABLE');
    await expectCode(() => r.listVersions('lib'), 'E_UPSTREAM_UNAVAILABLE');
    expect(circuit).toEqual(['open']);
    const before = server.requests;
    await expectCode(() => r.listVersions('lib'), 'E_UPSTREAM_UNAVAILABLE');
    expect(server.requests).toBe(before);
    expect(r.upstreams.stats()[0]!.circuit).toBe('open');
  });

  it('offline makes zero network calls, whatever is asked', async () => {
    const { server, local } = await setup();
    const online = await reg(local, { upstreams: [server.url] });
    await online.listVersions('lib');
    await online.close();
    const before = server.requests;
    const r = await reg(local, { upstreams: [server.url], offline: true });
    const err = await expectCode(() => r.getPackageInfo('lib'), 'E_NOT_IN_STORE');
    expect(err.details.upstream).toBe(server.url);
    await expectCode(() => r.listVersions('lib'), 'E_NOT_IN_STORE');
    await expectCode(() => r.downloadPackage('lib', '1.0.0'), 'E_NOT_IN_STORE');
    expect((await r.searchPackages('lib')).items).toEqual([]);
    await r.upstreams.probe();
    await expectCode(() => r.resolveDependency('lib', '^1'), 'E_UNSATISFIABLE');
    expect(server.requests).toBe(before);
  });
});
