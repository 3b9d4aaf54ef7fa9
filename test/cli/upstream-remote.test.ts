import { mkdtemp, rm, stat, writeFile, chmod, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../providers/index.js';
import { buildPackage } from '../../src/package/pack.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { cliRunner } from './helpers.js';

let dir: string;
let servers: FaultServer[] = [];
const pakt = cliRunner({ cwd: () => dir });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pakt-cli-up-'));
});
afterEach(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  servers = [];
  await rm(dir, { recursive: true, force: true });
});

async function storeWith(name: string, packages: Array<[string, string]>): Promise<string> {
  const root = path.join(dir, name);
  const r = await openRegistry({ path: root, fsync: false, upstreams: [] });
  for (const [n, v] of packages) {
    const file = path.join(dir, `${name}-${n}-${v}.zip`);
    await buildPackage({ metadata: { name: n, version: v }, files: { 'a.txt': `${n} ${v}` } }, file);
    await r.publishPackage(file);
  }
  await r.close();
  return root;
}

describe('pakt upstream, gc --cached, --offline', () => {
  it('adds, lists, refuses duplicates and bad entries, removes', async () => {
    const far = await storeWith('far', []);
    const local = await storeWith('local', []);
    const add = await pakt(['--store', local, 'upstream', 'add', far, '--priority', '5', '--json']);
    expect(add.code).toBe(0);
    expect(add.json).toEqual({ location: far, priority: 5 });
    expect((await pakt(['--store', local, 'upstream', 'add', far])).stderr).toContain('E_UPSTREAM_EXISTS');
    const notStore = await pakt(['--store', local, 'upstream', 'add', path.join(dir, 'nothing')]);
    expect(notStore.code).toBe(2);
    expect(notStore.stderr).toContain('E_UPSTREAM_INVALID');
    expect((await pakt(['--store', local, 'upstream', 'add', 'http://127.0.0.1:9', '--priority', 'high'])).stderr).toContain('E_UPSTREAM_INVALID');
    const list = await pakt(['--store', local, 'upstream', 'list', '--json']);
    expect(list.json.upstreams.map((u: { location: string }) => u.location)).toEqual([far]);
    expect(JSON.parse(await readFile(path.join(local, 'upstreams.json'), 'utf8')).upstreams).toHaveLength(1);
    expect((await pakt(['--store', local, 'upstream', 'remove', 'http://127.0.0.1:9'])).stderr).toContain('E_UPSTREAM_NOT_FOUND');
    expect((await pakt(['--store', local, 'upstream', 'remove', far])).code).toBe(0);
    expect((await pakt(['--store', local, 'upstream', 'list', '--json'])).json.upstreams).toEqual([]);
  });

  it('reads through, gc --cached evicts what was pulled, --offline and PAKT_OFFLINE name the upstream', async () => {
    const far = await storeWith('far', [['lib', '1.0.0'], ['lib', '2.0.0']]);
    const local = await storeWith('local', [['mine', '1.0.0']]);
    await pakt(['--store', local, 'upstream', 'add', far]);
    const versions = await pakt(['--store', local, 'versions', 'lib', '--json']);
    expect(versions.json.versions).toEqual(['2.0.0', '1.0.0']);
    expect((await pakt(['--store', local, 'download', 'lib', '1.0.0', '-o', path.join(dir, 'lib.zip')])).code).toBe(0);
    const offline = await pakt(['--store', local, '--offline', 'versions', 'lib', '--json']);
    expect(offline.json.versions).toEqual(['1.0.0']);
    const missing = await pakt(['--store', local, 'info', 'lib', '2.0.0', '--json'], { env: { PAKT_OFFLINE: '1' } });
    expect(missing.code).toBe(1);
    expect(missing.json.error.code).toBe('E_NOT_IN_STORE');
    expect(missing.json.error.upstream).toBe(far);
    const health = await pakt(['--store', local, 'upstream', 'health', '--json']);
    expect(health.json.upstreams[0].circuit).toBe('closed');
    expect(health.json.upstreams[0].requests).toBe(1);
    expect((await pakt(['--store', local, 'gc', '--cached'])).stderr).toContain('E_USAGE');
    expect((await pakt(['--store', local, 'gc', '--older-than', '1d'])).stderr).toContain('E_USAGE');
    expect((await pakt(['--store', local, 'gc', '--cached', '--max-bytes', 'lots'])).stderr).toContain('E_INVALID_ARGUMENT');
    const gc = await pakt(['--store', local, 'gc', '--cached', '--max-bytes', '0', '--json']);
    expect(gc.json.evicted.map((e: { name: string }) => `${e.name}@${(e as { version?: string }).version}`)).toEqual(['lib@1.0.0']);
    expect((await pakt(['--store', local, '--offline', 'info', 'mine', '--json'])).json.version).toBe('1.0.0');
  });
});

describe('--registry, login, logout, whoami', () => {
  const SECRET = 'pakt_tok_s3cr3t-value-never-printed';

  async function served(): Promise<{ server: FaultServer; env: NodeJS.ProcessEnv }> {
    const far = await storeWith('served', [['lib', '1.0.0']]);
    const server = await startFaultServer(far);
    servers.push(server);
    return { server, env: { PAKT_CREDENTIALS_FILE: path.join(dir, 'config', 'pakt', 'credentials.json') } };
  }

  it('package commands work against a server, maintenance is refused coded', async () => {
    const { server, env } = await served();
    const info = await pakt(['--registry', server.url, 'info', 'lib', '--json'], { env });
    expect(info.json.version).toBe('1.0.0');
    const file = path.join(dir, 'new.zip');
    await buildPackage({ metadata: { name: 'new', version: '1.0.0' }, files: { x: 'x' } }, file);
    expect((await pakt(['publish', file, '--json'], { env: { ...env, PAKT_REGISTRY: server.url } })).json[0].name).toBe('new');
    expect((await pakt(['--registry', server.url, 'versions', 'new', '--json'], { env })).json.latest).toBe('1.0.0');
    const out = path.join(dir, 'got.zip');
    expect((await pakt(['--registry', server.url, 'download', 'new', '-o', out], { env })).code).toBe(0);
    expect((await stat(out)).size).toBeGreaterThan(0);
    expect((await pakt(['--registry', server.url, 'resolve', 'lib@^1', '--json'], { env })).json.solution).toEqual({ lib: '1.0.0' });
    const verify = await pakt(['--registry', server.url, 'verify'], { env });
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('E_REMOTE_UNSUPPORTED');
    const gone = await pakt(['--registry', server.url, 'info', 'nope', '--json'], { env });
    expect(gone.json.error.code).toBe('E_PACKAGE_NOT_FOUND');
  });

  it('login stores the token mode 0600, whoami uses it, logout forgets it; the token is never printed', async () => {
    const { server, env } = await served();
    server.token = SECRET;
    const outputs: string[] = [];
    const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = await pakt(args, { env: { ...env, ...extra } });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    expect((await run(['whoami', server.url])).stderr).toContain('E_NOT_LOGGED_IN');
    const refused = await run(['login', server.url, '--token', 'wrong-token-value']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('E_REMOTE_AUTH_FAILED');
    const login = await run(['login', server.url, '--token', SECRET, '--json']);
    expect(login.code).toBe(0);
    expect(login.json.user).toBe('tester');
    const file = env['PAKT_CREDENTIALS_FILE']!;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).registries[new URL(server.url).host].registryToken).toBe(SECRET);
    expect((await run(['whoami', server.url, '--json'])).json.user).toBe('tester');
    expect(server.authHeaders.at(-1)).toBe(`Bearer ${SECRET}`);
    expect((await run(['--registry', server.url, 'info', 'lib', '--json'])).json.version).toBe('1.0.0');
    // Failures with the token in play: a server error, a dead server, a bad file mode.
    server.fault = 'error500';
    await run(['--registry', server.url, 'info', 'lib', '--json']);
    server.fault = 'none';
    await run(['--registry', 'http://127.0.0.1:9', 'info', 'lib'], { PAKT_TOKEN: SECRET });
    await chmod(file, 0o644);
    const open = await run(['whoami', server.url]);
    expect(open.stderr).toContain('E_REMOTE_CREDENTIALS_FILE');
    await chmod(file, 0o600);
    expect((await run(['logout', server.url])).code).toBe(0);
    expect((await run(['logout', server.url])).stderr).toContain('E_NOT_LOGGED_IN');
    for (const text of outputs) expect(text).not.toContain(SECRET);
    await writeFile(file, '{"registries": {}, "other": 1}');
    await chmod(file, 0o600);
  });
});
