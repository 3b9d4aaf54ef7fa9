/**
 * Authentication against the real registry: `auth: htpasswd` (Basic) and `auth: token` (the
 * Bearer challenge flow with a token server written here), credentials from every source, and
 * no secret in any error, whatever fails.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOciStorage, type OciStorage, type OciStorageOptions } from '../../../../providers/storage/oci/index.js';
import { RegistryError, type ErrorCode } from '../../../../src/errors.js';
import { digestOfBytes } from '../../../../src/util/digest.js';
import { expectCode } from '../../../helpers/expect-code.js';
import { disposeScratch, errorOf, FAST_RETRY, namespace, putBuffer, readAll } from './helpers.js';
import { skipRegistrySuites, startRegistry, type RegistryServer } from './registry-server.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const skip = skipRegistrySuites();
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const WRONG = `wrong-${randomBytes(8).toString('hex')}`;
const REFRESH = `refresh-${randomBytes(8).toString('hex')}`;

/** Every way an error could carry a secret to a log: message, stack, JSON, details, causes. */
function everythingSaid(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 10; depth++) {
    parts.push(String(e), (e as Error).stack ?? '', inspect(e, { depth: 5 }));
    if (e instanceof RegistryError) parts.push(JSON.stringify(e.toJSON()), e.hint);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function expectNoSecret(err: unknown, ...secrets: string[]): void {
  const said = everythingSaid(err);
  for (const secret of secrets) {
    expect(said).not.toContain(secret);
    expect(said).not.toContain(Buffer.from(`alice:${secret}`).toString('base64'));
  }
}

async function failsWith(p: Promise<unknown>, code: ErrorCode): Promise<RegistryError> {
  const err = await errorOf(p);
  expect(err, `expected ${code}`).toBeInstanceOf(RegistryError);
  expect((err as RegistryError).code, String(err)).toBe(code);
  return err as RegistryError;
}

async function roundTrip(s: OciStorage, label: string): Promise<void> {
  const owner = { name: label, version: '1.0.0' };
  const bytes = randomBytes(4000);
  const digest = await putBuffer(s, bytes, owner);
  expect((await readAll(s, digest, owner)).equals(bytes)).toBe(true);
  const listed = [];
  for await (const b of s.list()) listed.push(b.digest);
  expect(listed).toContain(digest);
  expect(await s.delete(digest, owner)).toBe(true);
}

describe.skipIf(skip)('basic authentication (auth: htpasswd)', () => {
  let server: RegistryServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakt-oci-auth-'));
    const htpasswd = path.join(dir, 'htpasswd');
    await writeFile(htpasswd, `alice:${bcrypt.hashSync(PASSWORD, 5)}\n`);
    server = await startRegistry({ kind: 'htpasswd', file: htpasswd });
  });
  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
    await disposeScratch();
  });
  const on = (extra: Partial<OciStorageOptions>): OciStorage => createOciStorage({ url: server.url(namespace('basic')), retry: FAST_RETRY, ...extra });

  it('works with the right credentials, from the option or the environment', async () => {
    await roundTrip(on({ credentials: { username: 'alice', password: PASSWORD } }), 'opt');
    await roundTrip(on({ credentialSources: { env: { PAKT_OCI_USERNAME: 'alice', PAKT_OCI_PASSWORD: PASSWORD, HOME: dir } } }), 'env');
  });

  it('without credentials: E_REMOTE_AUTH_REQUIRED; with a wrong password: E_REMOTE_AUTH_FAILED naming the source, never the secret', async () => {
    const none = on({ credentialSources: { env: { HOME: dir } } });
    const required = await failsWith(none.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_REQUIRED');
    expect(required.hint).toMatch(/PAKT_OCI_USERNAME/);
    const wrong = on({ credentialSources: { env: { PAKT_OCI_USERNAME: 'alice', PAKT_OCI_PASSWORD: WRONG, HOME: dir } } });
    const failed = await failsWith(wrong.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_FAILED');
    expect(failed.message).toMatch(/environment/);
    expectNoSecret(failed, WRONG);
    const put = await failsWith(putBuffer(wrong, randomBytes(100), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_FAILED');
    expectNoSecret(put, WRONG);
    expect(inspect(wrong, { depth: 10 })).not.toContain(WRONG);
    const fromOption = createOciStorage({ url: server.url('p'), credentials: { username: 'alice', password: WRONG }, retry: FAST_RETRY });
    expect(inspect(fromOption, { depth: 10 })).not.toContain(WRONG);
    expectNoSecret(await errorOf(fromOption.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' })), WRONG);
  });

  it('reads the Pakt credentials file (mode 0600 only) and Docker config.json (auth, username/password, a credential helper)', async () => {
    const pakt = path.join(dir, 'credentials.json');
    await writeFile(pakt, JSON.stringify({ registries: { [`http://${server.host}`]: { username: 'alice', password: PASSWORD } } }));
    await chmod(pakt, 0o644);
    const open = await failsWith(on({ credentialSources: { env: { HOME: dir }, paktCredentialsFile: pakt } }).stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_CREDENTIALS_FILE');
    expect(open.message).toMatch(/0644.*0600/);
    expectNoSecret(open, PASSWORD);
    await chmod(pakt, 0o600);
    await roundTrip(on({ credentialSources: { env: { HOME: dir }, paktCredentialsFile: pakt } }), 'paktfile');
    // $XDG_CONFIG_HOME/pakt/credentials.json is the default place.
    const xdg = path.join(dir, 'xdg');
    await writeFile(path.join(await mkdirp(path.join(xdg, 'pakt')), 'credentials.json'), JSON.stringify({ registries: { [server.host]: { username: 'alice', password: PASSWORD } } }), { mode: 0o600 });
    await roundTrip(on({ credentialSources: { env: { HOME: dir, XDG_CONFIG_HOME: xdg } } }), 'xdg');
    // A damaged file fails without quoting it (it may hold a secret).
    await writeFile(pakt, `{"registries": {"${server.host}": {"password": "${PASSWORD}" `, { mode: 0o600 });
    const broken = await failsWith(on({ credentialSources: { env: { HOME: dir }, paktCredentialsFile: pakt } }).stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_CREDENTIALS_FILE');
    expectNoSecret(broken, PASSWORD);

    const docker = path.join(dir, 'docker-config.json');
    const sources = { env: { HOME: dir }, paktCredentialsFile: path.join(dir, 'none.json'), dockerConfigFile: docker };
    await writeFile(docker, JSON.stringify({ auths: { [server.host]: { auth: Buffer.from(`alice:${PASSWORD}`).toString('base64') } } }));
    await roundTrip(on({ credentialSources: sources }), 'dockerauth');
    await writeFile(docker, JSON.stringify({ auths: { [`https://${server.host}/v1/`]: { username: 'alice', password: PASSWORD } } }));
    await roundTrip(on({ credentialSources: sources }), 'dockeruser');
    // DOCKER_CONFIG names the folder.
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [server.host]: { username: 'alice', password: PASSWORD } } }));
    await roundTrip(on({ credentialSources: { env: { HOME: '/nonexistent', DOCKER_CONFIG: dir }, paktCredentialsFile: path.join(dir, 'none.json') } }), 'dockerenv');
    // A credential helper (docker-credential-<name> get, the host on stdin, JSON on stdout).
    const bin = await mkdirp(path.join(dir, 'bin'));
    await writeFile(path.join(bin, 'docker-credential-pakttest'), `#!/bin/sh\nread host\nif [ "$host" = "${server.host}" ]; then echo '{"ServerURL":"'$host'","Username":"alice","Secret":"${PASSWORD}"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`, { mode: 0o755 });
    await writeFile(docker, JSON.stringify({ credHelpers: { [server.host]: 'pakttest' } }));
    await roundTrip(on({ credentialSources: { ...sources, env: { HOME: dir, PATH: `${bin}:${process.env['PATH']}` } } }), 'helper');
    await writeFile(docker, JSON.stringify({ credsStore: 'absent-helper' }));
    await failsWith(on({ credentialSources: sources }).stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_CREDENTIALS_FILE');
  });

  it('half the environment pair is an error, not a silent anonymous try', async () => {
    await failsWith(on({ credentialSources: { env: { PAKT_OCI_USERNAME: 'alice', HOME: dir } } }).stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_CREDENTIALS_FILE');
  });
});

async function mkdirp(p: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(p, { recursive: true });
  return p;
}

describe.skipIf(skip)('bearer tokens (auth: token)', () => {
  let server: RegistryServer;
  let tokens: TokenServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakt-oci-token-'));
    tokens = await startTokenServer(dir, {
      alice: { password: PASSWORD, actions: ['pull', 'push', 'delete', '*'] },
      reader: { password: PASSWORD, actions: ['pull'] },
    }, { [REFRESH]: 'alice' });
    server = await startRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certFile });
  });
  afterAll(async () => {
    await server?.dispose();
    await tokens?.close();
    await rm(dir, { recursive: true, force: true });
    await disposeScratch();
  });
  const on = (credentials: OciStorageOptions['credentials'], ns = namespace('bearer')): OciStorage => createOciStorage({ url: server.url(ns), credentials, retry: FAST_RETRY });

  it('answers the challenge with a token per scope, cached until shortly before it expires', async () => {
    const s = on({ username: 'alice', password: PASSWORD });
    await roundTrip(s, 'first');
    const afterFirst = s.counters().tokenRequests;
    // pull, pull+push, delete and the catalog: one token each.
    expect(afterFirst).toBe(4);
    await roundTrip(s, 'first');
    expect(s.counters().tokenRequests).toBe(afterFirst);
    // Another repository is another scope: pull, pull+push, delete, and the mount of the empty
    // config blob from the first repository (push here and pull there, in one token).
    await roundTrip(s, 'second');
    expect(s.counters().tokenRequests).toBe(afterFirst + 4);
    // A token is renewed once it is about to expire.
    tokens.expiresInSeconds = 2;
    const short = on({ username: 'alice', password: PASSWORD });
    expect(await short.stat(digestOfBytes('x'), { name: 'short', version: '1.0.0' })).toBeUndefined();
    const n = short.counters().tokenRequests;
    expect(await short.stat(digestOfBytes('x'), { name: 'short', version: '1.0.0' })).toBeUndefined();
    expect(short.counters().tokenRequests).toBe(n);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await short.stat(digestOfBytes('x'), { name: 'short', version: '1.0.0' })).toBeUndefined();
    expect(short.counters().tokenRequests).toBe(n + 1);
    tokens.expiresInSeconds = 300;
  });

  it('an identity token is traded through the refresh-token grant', async () => {
    await roundTrip(on({ identityToken: REFRESH }), 'identity');
  });

  it('anonymous: E_REMOTE_AUTH_REQUIRED; a reader pushing: E_REMOTE_DENIED; a wrong password: E_REMOTE_AUTH_FAILED, no secret said', async () => {
    await failsWith(on('anonymous').stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_REQUIRED');
    const reader = on({ username: 'reader', password: PASSWORD });
    expect(await reader.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' })).toBeUndefined();
    const denied = await failsWith(putBuffer(reader, randomBytes(64), { name: 'a', version: '1.0.0' }), 'E_REMOTE_DENIED');
    expect(denied.message).toMatch(/push/);
    expectNoSecret(denied, PASSWORD);
    const wrong = on({ username: 'alice', password: WRONG });
    const failed = await failsWith(wrong.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_FAILED');
    expectNoSecret(failed, WRONG);
    const badRefresh = await failsWith(on({ identityToken: `${REFRESH}-revoked` }).stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_AUTH_FAILED');
    expectNoSecret(badRefresh, `${REFRESH}-revoked`);
  });

  it('listing needs the catalog scope, and says so when anonymous', async () => {
    await expectCode(() => on('anonymous').list()[Symbol.asyncIterator]().next(), 'E_REMOTE_AUTH_REQUIRED');
  });
  // Last: it stops the token server.
  it('a token server that is down: E_REMOTE_NETWORK, retryable, no secret said', async () => {
    const s = on({ username: 'alice', password: PASSWORD });
    await tokens.close();
    const err = await failsWith(s.stat(digestOfBytes('x'), { name: 'a', version: '1.0.0' }), 'E_REMOTE_NETWORK');
    expect(err.details['retryable']).toBe(true);
    expectNoSecret(err, PASSWORD);
  });

});
