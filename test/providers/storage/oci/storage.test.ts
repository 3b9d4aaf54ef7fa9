/**
 * The OCI storage's own behaviour against a real registry: the artifact layout an OCI client
 * sees, dedup and chunking, quarantine records and damage to the registry's data file, tags it
 * never moves, aliases and foreign artifacts, lost tags, and the coded errors of a registry that
 * refuses, is not a registry, is unreachable or fails.
 */
import { randomBytes } from 'node:crypto';
import { writeFile, rm, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOciStorage, quarantineTag } from '../../../../providers/storage/oci/index.js';
import type { BlobInfo } from '../../../../src/contracts/index.js';
import { RegistryError } from '../../../../src/errors.js';
import { digestHex, digestOfBytes } from '../../../../src/util/digest.js';
import { expectCode } from '../../../helpers/expect-code.js';
import { api, disposeScratch, errorOf, FAST_RETRY, namespace, putBuffer, readAll, storageOn } from './helpers.js';
import { freePort, skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';

const skip = skipRegistrySuites();

describe.skipIf(skip)('OCI storage against docker-registry', () => {
  let server: RegistryServer;
  beforeAll(async () => {
    server = await startRegistry();
  });
  afterAll(async () => {
    await server?.dispose();
    await disposeScratch();
  });

  it('stores a version as an OCI artifact: repository <ns>/<name>, tag with + as _, one ZIP layer, artifactType', async () => {
    const ns = namespace('layout');
    const s = storageOn(server, ns);
    const bytes = Buffer.from('PK\u0003\u0004 pretend archive');
    const owner = { name: 'demo', version: '1.2.3-rc.1+build.7' };
    const digest = await putBuffer(s, bytes, owner);
    const scoped = await putBuffer(s, Buffer.from('scoped archive'), { name: '@acme/tool', version: '2.0.0' });
    const res = await api(server, `${ns}/demo/manifests/1.2.3-rc.1_build.7`);
    expect(res.status).toBe(200);
    const manifest = await res.json() as Record<string, any>;
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.pakt.package.v1+zip',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
      layers: [{ mediaType: 'application/vnd.pakt.package.v1+zip', digest, size: bytes.length, annotations: { 'org.opencontainers.image.title': 'demo-1.2.3-rc.1+build.7.zip' } }],
      annotations: { 'org.pakt.package.name': 'demo', 'org.pakt.package.version': '1.2.3-rc.1+build.7' },
    });
    expect((await api(server, `${ns}/acme/tool/manifests/2.0.0`)).status).toBe(200);
    expect(s.referenceOf({ name: '@acme/tool', version: '2.0.0' })).toBe(`${server.host}/${ns}/acme/tool:2.0.0`);
    const listed: BlobInfo[] = [];
    for await (const b of s.list()) listed.push(b);
    expect(listed.sort((a, b) => a.owner!.name.localeCompare(b.owner!.name))).toEqual([
      { digest: scoped, size: 14, owner: { name: '@acme/tool', version: '2.0.0' } },
      { digest, size: bytes.length, owner },
    ]);
    await s.close();
  });

  it('HEAD before upload: a stored version costs one request, a blob the repository has is not sent again', async () => {
    const s = storageOn(server, namespace('dedup'));
    const owner = { name: 'dedup', version: '1.0.0' };
    const bytes = randomBytes(5000);
    const digest = await putBuffer(s, bytes, owner);
    const before = s.counters().byMethod;
    await putBuffer(s, bytes, owner);
    const after = s.counters().byMethod;
    expect((after['GET'] ?? 0) - (before['GET'] ?? 0)).toBe(1);
    expect(after['POST']).toBe(before['POST']);
    expect(after['PUT']).toBe(before['PUT']);
    // The manifest gone, the blob still linked: the upload is skipped, the manifest written again.
    const manifestDigest = (await api(server, `${s.location.namespace}/dedup/manifests/1.0.0`, { method: 'HEAD' })).headers.get('docker-content-digest')!;
    expect((await api(server, `${s.location.namespace}/dedup/manifests/${manifestDigest}`, { method: 'DELETE' })).status).toBe(202);
    const posts = s.counters().byMethod['POST'];
    await putBuffer(s, bytes, owner);
    expect(s.counters().byMethod['POST']).toBe(posts);
    expect((await readAll(s, digest, owner)).equals(bytes)).toBe(true);
    await s.close();
  });

  it('a large archive goes in chunks, streamed from the file, and reads back byte for byte', async () => {
    const s = storageOn(server, namespace('chunked'), { monolithicMaxBytes: 64 * 1024, chunkBytes: 256 * 1024 });
    const owner = { name: 'big', version: '1.0.0' };
    const bytes = randomBytes(1024 * 1024 + 17);
    const digest = await putBuffer(s, bytes, owner);
    expect(s.counters().byMethod['PATCH']).toBe(5);
    expect((await readAll(s, digest, owner)).equals(bytes)).toBe(true);
    // A wrong digest found while the chunks go out is never committed.
    const wrong = digestOfBytes('something else');
    const file = path.join(server.root, 'wrong-src');
    await writeFile(file, bytes);
    await expectCode(() => s.put(wrong, bytes.length, file, { name: 'big', version: '2.0.0' }), 'E_STORE_PUT_MISMATCH');
    expect(await s.stat(wrong, { name: 'big', version: '2.0.0' })).toBeUndefined();
    expect((await api(server, `${s.location.namespace}/big/blobs/${wrong}`, { method: 'HEAD' })).status).toBe(404);
    await s.close();
  });

  it('quarantine keeps the bytes the registry served in a record of their own; damage to the shared data file needs the registry GC before the good copy goes back', async () => {
    const s = storageOn(server, namespace('datafile'));
    const owner = { name: 'rot', version: '1.0.0' };
    const bytes = randomBytes(100_000);
    const digest = await putBuffer(s, bytes, owner);
    const hex = digestHex(digest);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt8(damaged[500]! ^ 0x01, 500);
    await writeFile(path.join(server.storageRoot, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), damaged);

    const read = await errorOf(readAll(s, digest, owner));
    expect(read).toMatchObject({ code: 'E_STORE_INTEGRITY', details: { expected: digest } });
    expect(await s.stat(digest, owner)).toBeUndefined();
    const record = await api(server, `${s.location.namespace}/rot/manifests/${quarantineTag(digest)}`);
    expect(record.status).toBe(200);
    const m = await record.json() as Record<string, any>;
    expect(m['artifactType']).toBe('application/vnd.pakt.quarantined.v1+zip');
    expect(m['annotations']).toMatchObject({ 'org.pakt.quarantine.expected-digest': digest, 'org.pakt.package.name': 'rot', 'org.pakt.package.version': '1.0.0' });
    expect(m['annotations']['org.pakt.quarantine.reason']).toMatch(/verification failed on read: digest differs/);
    const kept = await api(server, `${s.location.namespace}/rot/blobs/${m['layers'][0].digest}`);
    expect(Buffer.from(await kept.arrayBuffer()).equals(damaged)).toBe(true);
    const listed: BlobInfo[] = [];
    for await (const b of s.list()) listed.push(b);
    expect(listed).toEqual([]);

    // The registry re-uses its data file for this digest: storing the good copy is refused.
    const again = await errorOf(putBuffer(s, bytes, owner));
    expect(again).toMatchObject({ code: 'E_OCI_CORRUPT_BLOB_KEPT' });
    expect(await s.stat(digest, owner)).toBeUndefined();

    // After the registry's garbage collection the damaged file is gone and the good copy lands.
    await server.stop();
    server.garbageCollect();
    await server.start();
    await putBuffer(s, bytes, owner);
    expect((await readAll(s, digest, owner)).equals(bytes)).toBe(true);
    await s.close();
  });

  it('never moves a version tag to another archive; a delete of the other archive leaves the version alone', async () => {
    const s = storageOn(server, namespace('taken'));
    const owner = { name: 'pkg', version: '1.0.0' };
    const first = randomBytes(3000);
    const second = randomBytes(3000);
    const d1 = await putBuffer(s, first, owner);
    const err = await expectCode(() => putBuffer(s, second, owner), 'E_OCI_TAG_TAKEN');
    expect(err.message).toContain(d1);
    expect(await s.delete(digestOfBytes(second), owner)).toBe(false);
    expect((await readAll(s, d1, owner)).equals(first)).toBe(true);
    await s.close();
  });

  it('writers racing to put one version with different archives: each that succeeded can read its own, one holds the tag, the rest were refused', async () => {
    const ns = namespace('race');
    // Separate providers, as separate processes would be (no shared in-process state).
    const writers = Array.from({ length: 8 }, () => storageOn(server, ns));
    const owner = { name: 'contested', version: '1.0.0' };
    const archives = writers.map(() => randomBytes(30_000));
    const outcomes = await Promise.all(writers.map((w, i) => errorOf(putBuffer(w, archives[i]!, owner))));
    const succeeded = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
    for (const o of outcomes) if (o !== undefined) expect(o).toMatchObject({ code: 'E_OCI_TAG_TAKEN' });
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    const reader = storageOn(server, ns);
    for (const i of succeeded) {
      const digest = digestOfBytes(archives[i]!);
      expect(await reader.stat(digest, owner)).toMatchObject({ digest, size: 30_000 });
      expect((await readAll(reader, digest, owner)).equals(archives[i]!)).toBe(true);
    }
    const listed: BlobInfo[] = [];
    for await (const b of reader.list()) listed.push(b);
    expect(listed).toHaveLength(1);
    expect(succeeded.map((i) => digestOfBytes(archives[i]!))).toContain(listed[0]!.digest);
    for (const w of [...writers, reader]) w.close();
  });

  it('foreign artifacts and alias tags in the namespace are left alone by put and list', async () => {
    const ns = namespace('foreign');
    const s = storageOn(server, ns);
    const owner = { name: 'app', version: '1.0.0' };
    const digest = await putBuffer(s, Buffer.from('the archive'), owner);
    const manifest = Buffer.from(await (await api(server, `${ns}/app/manifests/1.0.0`)).arrayBuffer());
    // Someone tags the version `latest` too: still one blob in list().
    expect((await api(server, `${ns}/app/manifests/latest`, { method: 'PUT', body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(201);
    // Someone pushes a non-Pakt artifact at what would be a version's tag.
    const config = Buffer.from('{}');
    const cfgDigest = digestOfBytes(config);
    const other = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.thing', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: cfgDigest, size: 2 }, layers: [] });
    expect((await api(server, `${ns}/app/manifests/2.0.0`, { method: 'PUT', body: other, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })).status).toBe(201);
    await expectCode(() => putBuffer(s, Buffer.from('another'), { name: 'app', version: '2.0.0' }), 'E_OCI_TAG_TAKEN');
    const listed: BlobInfo[] = [];
    for await (const b of s.list()) listed.push(b);
    expect(listed).toEqual([{ digest, size: 11, owner }]);
    await s.close();
  });

  it('a version whose tag was lost is found by its manifest digest and tagged again', async () => {
    const ns = namespace('heal');
    const s = storageOn(server, ns);
    const owner = { name: 'lost', version: '3.1.4' };
    const bytes = randomBytes(2048);
    const digest = await putBuffer(s, bytes, owner);
    await rm(path.join(server.storageRoot, 'repositories', ns, 'lost', '_manifests', 'tags', '3.1.4'), { recursive: true });
    expect((await api(server, `${ns}/lost/manifests/3.1.4`, { method: 'HEAD' })).status).toBe(404);
    expect(await s.stat(digest, owner)).toMatchObject({ digest, size: 2048 });
    expect((await api(server, `${ns}/lost/manifests/3.1.4`, { method: 'HEAD' })).status).toBe(200);
    expect((await readAll(s, digest, owner)).equals(bytes)).toBe(true);
    await s.close();
  });

  it('a manifest whose bytes changed on the registry fails with E_OCI_MANIFEST_INVALID', async () => {
    const ns = namespace('badmanifest');
    const s = storageOn(server, ns);
    const owner = { name: 'm', version: '1.0.0' };
    const digest = await putBuffer(s, Buffer.from('fine'), owner);
    const manifestDigest = (await api(server, `${ns}/m/manifests/1.0.0`, { method: 'HEAD' })).headers.get('docker-content-digest')!;
    const hex = manifestDigest.slice(7);
    const file = path.join(server.storageRoot, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"1.0.0"', '"9.9.9"'));
    await expectCode(() => s.stat(digest, owner), 'E_OCI_MANIFEST_INVALID');
    await s.close();
  });

  it('refuses names the registry cannot hold, with nothing sent', async () => {
    const s = storageOn(server, namespace('names'));
    await expectCode(() => putBuffer(s, Buffer.from('x'), { name: 'trailing.', version: '1.0.0' }), 'E_OCI_NAME_UNSUPPORTED');
    await expectCode(() => s.stat(digestOfBytes('x'), undefined), 'E_INVALID_ARGUMENT');
    await s.close();
  });

  it('is unusable after close()', async () => {
    const s = storageOn(server, namespace('closed'));
    await s.close();
    await expectCode(() => s.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_CLOSED');
  });

  it('a registry with deletion switched off: delete says how to enable it', async () => {
    const noDelete = await startRegistry({ kind: 'none' }, { deleteEnabled: false });
    try {
      const s = storageOn(noDelete, namespace('nodelete'));
      const owner = { name: 'keep', version: '1.0.0' };
      const digest = await putBuffer(s, Buffer.from('kept'), owner);
      const err = await expectCode(() => s.delete(digest, owner), 'E_OCI_REJECTED');
      expect(err.hint).toMatch(/storage\.delete\.enabled/);
      await s.close();
    } finally {
      await noDelete.dispose();
    }
  });
});

describe('OCI storage: registries that fail', () => {
  const owner = { name: 'x', version: '1.0.0' };

  it('an address that is not a registry: E_OCI_NOT_A_REGISTRY', async () => {
    const web = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const s = createOciStorage({ url: `oci://127.0.0.1:${(web.address() as AddressInfo).port}/pakt`, credentials: 'anonymous', retry: FAST_RETRY });
      await expectCode(() => s.stat(digestOfBytes('x'), owner), 'E_OCI_NOT_A_REGISTRY');
      await s.close();
    } finally {
      web.close();
    }
  });

  it('nothing listening: E_REMOTE_NETWORK, retryable, after the retries allowed', async () => {
    const port = await freePort();
    const s = createOciStorage({ url: `oci://127.0.0.1:${port}/pakt`, credentials: 'anonymous', retry: FAST_RETRY });
    const err = await expectCode(() => s.stat(digestOfBytes('x'), owner), 'E_REMOTE_NETWORK');
    expect(err.details).toMatchObject({ retryable: true, attempts: 3, syscallCode: 'ECONNREFUSED' });
    expect(err.message).toMatch(/refused/);
    await s.close();
  });

  it('a registry answering 503, then 429 with Retry-After: E_REMOTE_UNAVAILABLE, retryable; it succeeds once the registry recovers', async () => {
    let calls = 0;
    let failFor = Infinity;
    const flaky = http.createServer((req, res) => {
      calls++;
      if (calls <= failFor) {
        res.writeHead(calls % 2 ? 503 : 429, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'try later' }] }));
        return;
      }
      if (req.url === '/v2/') res.writeHead(200).end('{}');
      else res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const url = `oci://127.0.0.1:${(flaky.address() as AddressInfo).port}/pakt`;
      const s = createOciStorage({ url, credentials: 'anonymous', retry: FAST_RETRY });
      const err = await expectCode(() => s.stat(digestOfBytes('x'), owner), 'E_REMOTE_UNAVAILABLE');
      expect(err.details).toMatchObject({ retryable: true, attempts: 3, registryCodes: ['UNAVAILABLE'] });
      expect(calls).toBe(3);
      calls = 0;
      failFor = 2;
      expect(await s.stat(digestOfBytes('x'), owner)).toBeUndefined();
      await s.close();
    } finally {
      flaky.close();
    }
  });

  it('a blob redirected to another origin (an object store) is fetched there without the credentials', async () => {
    const bytes = Buffer.from('archive bytes served by the object store');
    const digest = digestOfBytes(bytes);
    const secret = `pw-${randomBytes(6).toString('hex')}`;
    const seen: Array<string | undefined> = [];
    const store = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
    });
    await new Promise<void>((r) => store.listen(0, '127.0.0.1', r));
    const { packageManifest } = await import('../../../../providers/storage/oci/artifact-manifest.js');
    const manifest = packageManifest(owner, { digest, size: bytes.length });
    const expected = `Basic ${Buffer.from(`u:${secret}`).toString('base64')}`;
    const registry = http.createServer((req, res) => {
      if (req.headers.authorization !== expected) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      if (req.url === '/v2/pakt/x/manifests/1.0.0') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': manifest.digest }).end(manifest.bytes);
      if (req.url === `/v2/pakt/x/blobs/${digest}`) return void res.writeHead(307, { location: `http://127.0.0.1:${(store.address() as AddressInfo).port}/signed?x=1` }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    try {
      const s = createOciStorage({ url: `oci://127.0.0.1:${(registry.address() as AddressInfo).port}/pakt`, credentials: { username: 'u', password: secret }, retry: FAST_RETRY });
      const chunks: Buffer[] = [];
      for await (const c of await s.get(digest, owner)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      expect(seen).toEqual([undefined]);
      await s.close();
    } finally {
      registry.close();
      store.close();
    }
  });

  it('a registry that breaks the protocol (a 202 without Location): E_OCI_PROTOCOL, not retried', async () => {
    let posts = 0;
    const odd = http.createServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      if (req.method === 'POST') {
        posts++;
        return void res.writeHead(202).end();
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'unknown' }] }));
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const s = createOciStorage({ url: `oci://127.0.0.1:${(odd.address() as AddressInfo).port}/pakt`, credentials: 'anonymous', retry: FAST_RETRY });
      const bytes = Buffer.from('bytes');
      const err = await expectCode(() => s.putBytes(digestOfBytes(bytes), bytes, owner), 'E_OCI_PROTOCOL');
      expect(err.message).toMatch(/Location/);
      expect(posts).toBe(1);
      await s.close();
    } finally {
      odd.close();
    }
  });

  it('options are checked at construction, credentials never echoed', async () => {
    await expectCode(() => createOciStorage({ url: 'oci://127.0.0.1:5000/p', colour: 'red' } as never), 'E_PROVIDER_OPTION');
    await expectCode(() => createOciStorage({ url: 'http://registry.example.com/p' }), 'E_PROVIDER_OPTION');
    expect(() => createOciStorage({ url: 'http://registry.example.com/p', plainHttp: true }).close()).not.toThrow();
    await expectCode(() => createOciStorage({ url: 'oci://127.0.0.1:5000/p', chunkBytes: 10 }), 'E_PROVIDER_OPTION');
    await expectCode(() => createOciStorage({ url: 'oci://127.0.0.1:5000/p', retry: { attempts: 0 } }), 'E_PROVIDER_OPTION');
    const err = await expectCode(() => createOciStorage({ url: 'oci://127.0.0.1:5000/p', credentials: { username: 'u', password: '' , token: 'leaky-secret-1' } as never }), 'E_PROVIDER_OPTION');
    expect(err.message + JSON.stringify(err.toJSON())).not.toContain('leaky-secret-1');
    await expectCode(() => createOciStorage({ url: 'oci://127.0.0.1:5000/UPPER' }), 'E_OCI_REFERENCE_INVALID');
    expect(err).toBeInstanceOf(RegistryError);
  });
});
