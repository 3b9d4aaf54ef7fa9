/**
 * One end-to-end suite run against the embedded registry and against the remote client talking
 * to a real HTTP server on 127.0.0.1 (test/helpers/fault-server.ts serving a store over the /v1
 * routes): the same calls give the same answers and the same error codes.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../providers/index.js';
import { buildPackage } from '../../src/package/pack.js';
import { RemoteRegistry } from '../../src/remote/index.js';
import { expectCode } from '../helpers/expect-code.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';

interface Target {
  registry: Awaited<ReturnType<typeof openRegistry>> | RemoteRegistry;
  server?: FaultServer;
  close(): Promise<void>;
}

const TARGETS: Record<string, (dir: string) => Promise<Target>> = {
  embedded: async (dir) => {
    const registry = await openRegistry({ path: path.join(dir, 'store'), fsync: false, upstreams: [] });
    return { registry, close: () => registry.close() };
  },
  remote: async (dir) => {
    const server = await startFaultServer(path.join(dir, 'store'));
    const registry = await openRegistry({ url: server.url, backoffMs: 5 });
    return { registry, server, close: async () => { await registry.close(); await server.close(); } };
  },
};

for (const [kind, start] of Object.entries(TARGETS)) {
  describe(`the registry API, ${kind}`, () => {
    let dir: string;
    let t: Target;
    const zips: Record<string, string> = {};

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), `pakt-parity-${kind}-`));
      t = await start(dir);
      const make = async (name: string, version: string, dependencies?: Record<string, string>, body = 'x') => {
        const file = path.join(dir, `${name.replace('/', '_')}-${version}-${body}.zip`);
        await buildPackage({ metadata: { name, version, description: `${name} does things`, ...(dependencies ? { dependencies } : {}) }, files: { 'index.js': body } }, file);
        zips[`${name}@${version}${body === 'x' ? '' : `#${body}`}`] = file;
      };
      await make('left-pad', '1.0.0');
      await make('left-pad', '1.1.0');
      await make('left-pad', '1.1.0', undefined, 'other bytes');
      await make('@acme/tool', '2.0.0', { 'left-pad': '^1.0.0' });
      await make('app', '1.0.0', { '@acme/tool': '^3.0.0' });
    });
    afterAll(async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('publishes from a path, a Buffer and a stream', async () => {
      expect((await t.registry.publishPackage(zips['left-pad@1.0.0']!)).status).toBe('published');
      expect((await t.registry.publishPackage(await readFile(zips['left-pad@1.1.0']!))).version).toBe('1.1.0');
      expect((await t.registry.publishPackage(createReadStream(zips['@acme/tool@2.0.0']!))).name).toBe('@acme/tool');
      expect((await t.registry.publishPackage(zips['left-pad@1.0.0']!)).status).toBe('unchanged');
      await expectCode(() => t.registry.publishPackage(zips['left-pad@1.1.0#other bytes']!), 'E_VERSION_EXISTS');
      await t.registry.publishPackage(zips['app@1.0.0']!);
    });

    it('answers info, versions and search the same way', async () => {
      expect((await t.registry.getPackageInfo('left-pad')).version).toBe('1.1.0');
      expect((await t.registry.getPackageInfo('left-pad', '~1.0.0')).version).toBe('1.0.0');
      expect((await t.registry.getPackageInfo('@acme/tool', '2.0.0')).metadata.dependencies).toEqual({ 'left-pad': '^1.0.0' });
      const list = await t.registry.listVersions('left-pad');
      expect([list.latest, list.versions.map((v) => v.version)]).toEqual(['1.1.0', ['1.1.0', '1.0.0']]);
      expect((await t.registry.searchPackages('left-pad')).items[0]!.name).toBe('left-pad');
      await expectCode(() => t.registry.getPackageInfo('nothing-here'), 'E_PACKAGE_NOT_FOUND');
      await expectCode(() => t.registry.getPackageInfo('left-pad', '^9'), 'E_VERSION_NOT_FOUND');
    });

    it('downloads verified bytes, to a stream and to a file', async () => {
      const chunks: Buffer[] = [];
      for await (const c of await t.registry.downloadPackage('left-pad', '1.0.0')) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(await readFile(zips['left-pad@1.0.0']!))).toBe(true);
      const out = path.join(dir, 'out.zip');
      const r = await t.registry.downloadToFile('@acme/tool', 'latest', out);
      expect([r.name, r.version, r.file]).toEqual(['@acme/tool', '2.0.0', out]);
      expect((await readFile(out)).equals(await readFile(zips['@acme/tool@2.0.0']!))).toBe(true);
    });

    it('resolves, builds trees, and explains failures with the same code and kind', async () => {
      expect((await t.registry.resolveDependency('@acme/tool', '^2')).solution).toEqual({ '@acme/tool': '2.0.0', 'left-pad': '1.1.0' });
      const tree = await t.registry.getDependencyTree('@acme/tool', '^2');
      expect([tree.name, tree.version, tree.dependencies.map((d) => `${d.name}@${d.version}`)]).toEqual(['@acme/tool', '2.0.0', ['left-pad@1.1.0']]);
      const err = await expectCode(() => t.registry.resolveDependency('app', '1.0.0'), 'E_UNSATISFIABLE');
      expect(err.details.kind).toBe('no-version-in-range');
    });

    it('deletes a version', async () => {
      expect((await t.registry.deletePackage('left-pad', '1.0.0')).map((d) => d.version)).toEqual(['1.0.0']);
      await expectCode(() => t.registry.getPackageInfo('left-pad', '1.0.0'), 'E_VERSION_NOT_FOUND');
    });

    if (kind === 'remote') {
      it('retries idempotent requests on 503 with backoff, and gives up coded', async () => {
        t.server!.failNext = 2;
        const before = t.server!.requests;
        expect((await t.registry.getPackageInfo('left-pad')).version).toBe('1.1.0');
        expect(t.server!.requests - before).toBe(3);
        t.server!.failNext = 5;
        const err = await expectCode(() => t.registry.getPackageInfo('left-pad'), 'E_META_UNAVAILABLE');
        expect(err.message).toBe('busy');
        t.server!.failNext = 0;
      });

      it('does not retry a publish (its body is a stream), and reports an unreachable server coded', async () => {
        t.server!.failNext = 1;
        const before = t.server!.requests;
        await expectCode(() => t.registry.publishPackage(zips['left-pad@1.0.0']!), 'E_META_UNAVAILABLE');
        expect(t.server!.requests - before).toBe(1);
        const dead = new RemoteRegistry({ url: 'http://127.0.0.1:9', backoffMs: 1, versioning: (await import('../../providers/versioning/semver.js')).createSemverVersioning() });
        const e = await expectCode(() => dead.listVersions('x'), 'E_REMOTE_NETWORK');
        expect(e.details.retryable).toBe(true);
        expect(e.details.attempts).toBe(3);
      });

      it('refuses wrong bytes from the server mid-stream', async () => {
        t.server!.fault = 'wrong-bytes';
        const stream = await t.registry.downloadPackage('left-pad', '1.1.0');
        await expectCode(async () => { for await (const _ of stream) void _; }, 'E_STORE_INTEGRITY');
        t.server!.fault = 'none';
      });

      it('refuses maintenance with E_REMOTE_UNSUPPORTED and a bad URL with E_UPSTREAM_INVALID', async () => {
        await expectCode(() => (t.registry as RemoteRegistry).verify(), 'E_REMOTE_UNSUPPORTED');
        await expectCode(() => openRegistry({ url: 'ftp://example.com' }), 'E_UPSTREAM_INVALID');
        await expectCode(() => openRegistry({ url: 'http://u:pw@example.com' }), 'E_UPSTREAM_INVALID');
      });
    }
  });
}
