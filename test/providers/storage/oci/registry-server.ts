/**
 * A real CNCF distribution registry (Debian's `docker-registry`, 2.8) for the tests: started on
 * 127.0.0.1 on a free port with a throwaway data folder, deletion enabled and no blob-descriptor
 * cache (so a blob changed on disk is served as it now is), optionally behind `auth: htpasswd`
 * or `auth: token`. It can be stopped, killed and started again on the same folder and port.
 *
 * Where the binary is missing the suites are skipped with a message saying so, except on CI
 * (CI=true), where a missing registry is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REGISTRY_BIN = process.env['PAKT_TEST_REGISTRY_BIN'] ?? '/usr/bin/docker-registry';

/** Why the registry cannot run here, or undefined when it can. */
export function registryUnavailable(): string | undefined {
  if (!existsSync(REGISTRY_BIN)) return `${REGISTRY_BIN} is not installed (apt-get install -y docker-registry skopeo)`;
  const r = spawnSync(REGISTRY_BIN, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return `${REGISTRY_BIN} --version failed: ${r.stderr || r.error?.message}`;
  return undefined;
}

/** The skip decision for a suite: skipped only outside CI, with the reason printed once. */
export function skipRegistrySuites(): boolean {
  const why = registryUnavailable();
  if (why === undefined) return false;
  if (process.env['CI']) throw new Error(`the OCI registry tests need docker-registry on CI: ${why}`);
  process.stderr.write(`\n[skip] OCI registry tests skipped: ${why}\n`);
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; file: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface RegistryServer {
  readonly port: number;
  readonly root: string;
  /** The blobs and repositories the registry keeps (docker/registry/v2 under the data folder). */
  readonly storageRoot: string;
  readonly host: string;
  readonly configPath: string;
  /** oci://127.0.0.1:<port>/<namespace> */
  url(namespace: string): string;
  start(): Promise<void>;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  readonly running: boolean;
  /** Stops the registry and deletes its folder. */
  dispose(): Promise<void>;
  /** What the registry printed (its log), for failure messages. */
  log(): string;
  /** Runs the registry's offline garbage collector on its folder (the registry must be stopped). */
  garbageCollect(): void;
}

function configYaml(root: string, port: number, auth: RegistryAuth, deleteEnabled: boolean): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(root, 'data')}`,
    '  delete:',
    `    enabled: ${deleteEnabled}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // A fixed secret, so that upload sessions survive a restart (their state is signed with it).
    '  secret: pakt-test-upload-state-secret',
  ];
  if (auth.kind === 'htpasswd') lines.push('auth:', '  htpasswd:', '    realm: pakt-test', `    path: ${auth.file}`);
  if (auth.kind === 'token') {
    lines.push('auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${auth.rootCertBundle}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function startRegistry(auth: RegistryAuth = { kind: 'none' }, options: { deleteEnabled?: boolean } = {}): Promise<RegistryServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'pakt-oci-registry-'));
  const port = await freePort();
  const configPath = path.join(root, 'config.yml');
  await writeFile(configPath, configYaml(root, port, auth, options.deleteEnabled ?? true));
  let child: ChildProcess | undefined;
  let output = '';

  const ready = async (deadline: number): Promise<void> => {
    for (;;) {
      if (!child || child.exitCode !== null) throw new Error(`docker-registry exited while starting:\n${output}`);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`docker-registry did not listen on ${port} within 15 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const server: RegistryServer = {
    port,
    root,
    storageRoot: path.join(root, 'data', 'docker', 'registry', 'v2'),
    host: `127.0.0.1:${port}`,
    configPath,
    url: (namespace) => `oci://127.0.0.1:${port}/${namespace}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (server.running) return;
      child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (d: Buffer): void => {
        output = (output + d.toString()).slice(-20_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      await ready(Date.now() + 15_000);
    },
    async stop(signal = 'SIGTERM') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill(signal);
      });
    },
    async dispose() {
      await server.stop('SIGKILL');
      await rm(root, { recursive: true, force: true });
    },
    log: () => output,
    garbageCollect() {
      if (server.running) throw new Error('stop the registry before its garbage collection');
      const r = spawnSync(REGISTRY_BIN, ['garbage-collect', configPath], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`garbage-collect failed: ${r.stderr}`);
    },
  };
  await server.start();
  return server;
}
