/**
 * A real, throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary folder,
 * started with pg_ctl on 127.0.0.1 and a free port, password authentication over TCP (so bad
 * credentials can be tested), removed again by destroy(). As root (CI, this machine), the server
 * runs as the `postgres` user, since PostgreSQL refuses to run as root.
 *
 * findPostgres() says where the binaries are, or why there are none: test files skip with that
 * message, except on CI (CI=true), where a missing server is a failure.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  /** postgres://user:password@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** Asynchronous, so that clients in this process go on meanwhile (and see the server go). */
  start(): Promise<void>;
  /** pg_ctl stop: `fast` disconnects clients and shuts down cleanly, `immediate` is like a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Runs SQL as the superuser on `database` (default postgres). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[], database?: string): Promise<R[]>;
  destroy(): void;
}

export interface StartOptions {
  /** fsync and synchronous_commit on (default true); off makes tests faster where durability is not tested. */
  durable?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /** Files to place in the data folder before start (e.g. TLS certificates), name → contents. */
  files?: Record<string, string>;
}

const VERSIONS_DIR = '/usr/lib/postgresql';

/** The bin folder of the newest installed PostgreSQL, or the reason there is none. */
export function findPostgres(): { bin: string } | { missing: string } {
  const fromEnv = process.env['PAKT_TEST_POSTGRES_BIN'];
  if (fromEnv) return existsSync(path.join(fromEnv, 'initdb')) ? { bin: fromEnv } : { missing: `PAKT_TEST_POSTGRES_BIN=${fromEnv} holds no initdb` };
  if (!existsSync(VERSIONS_DIR)) return { missing: `PostgreSQL is not installed (no ${VERSIONS_DIR}); install it with \`apt-get install -y postgresql\`` };
  const versions = readdirSync(VERSIONS_DIR).filter((v) => existsSync(path.join(VERSIONS_DIR, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) return { missing: `no PostgreSQL server binaries under ${VERSIONS_DIR}; install them with \`apt-get install -y postgresql\`` };
  const bin = path.join(VERSIONS_DIR, versions[0]!, 'bin');
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return { missing: 'running as root, but there is no `postgres` user to run the server as' };
  return { bin };
}

/** The message test files skip with, or undefined when a server can be started; throws on CI. */
export function postgresUnavailable(): string | undefined {
  const found = findPostgres();
  if ('bin' in found) return undefined;
  if (process.env['CI']) throw new Error(`PostgreSQL tests cannot run on CI: ${found.missing}`);
  return `skipped: these tests need a real PostgreSQL server: ${found.missing}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const found = findPostgres();
  if (!('bin' in found)) throw new Error(found.missing);
  const bin = found.bin;
  const asRoot = process.getuid?.() === 0;
  const root = mkdtempSync(path.join(os.tmpdir(), 'pakt-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const user = 'postgres';
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  const group = asRoot ? Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) : undefined;
  const run = (tool: string, args: string[]): void => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  };
  writeFileSync(path.join(root, 'pwfile'), `${password}\n`, { mode: 0o600 });
  for (const dir of [root]) if (owner !== undefined) chownSync(dir, owner, group!);
  if (owner !== undefined) chownSync(path.join(root, 'pwfile'), owner, group!);
  run('initdb', ['-D', dataDir, '-U', user, `--pwfile=${path.join(root, 'pwfile')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  spawnSync(asRoot ? 'runuser' : 'mkdir', asRoot ? ['-u', 'postgres', '--', 'mkdir', '-p', socketDir] : ['-p', socketDir]);
  for (const [name, contents] of Object.entries(options.files ?? {})) {
    const file = path.join(dataDir, name);
    writeFileSync(file, contents, { mode: 0o600 });
    if (owner !== undefined) chownSync(file, owner, group!);
    chmodSync(file, 0o600);
  }
  const port = await freePort();
  const durable = options.durable ?? true;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    fsync: durable ? 'on' : 'off',
    synchronous_commit: durable ? 'on' : 'off',
    full_page_writes: durable ? 'on' : 'off',
    max_connections: '200',
    shared_buffers: '64MB',
    ...options.settings,
  };
  const serverOptions = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const log = path.join(root, 'server.log');
  const ctlArgs = (args: string[]): string[] => ['-D', dataDir, '-l', log, '-w', '-t', '60', ...args];
  const ctlAsync = (args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const tool = path.join(bin, 'pg_ctl');
      const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', tool, ...ctlArgs(args)]] : [tool, ctlArgs(args)];
      execFile(cmd, argv, { timeout: 90_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`pg_ctl ${args.join(' ')} failed: ${stderr}`)) : resolve()));
    });
  const start = (): Promise<void> => ctlAsync(['-o', serverOptions, 'start']);
  run('pg_ctl', ctlArgs(['-o', serverOptions, 'start']));
  const url = (database = 'postgres'): string => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    url,
    start,
    stop: (mode = 'fast') => ctlAsync(['-m', mode, 'stop']),
    restart: (mode = 'fast') => ctlAsync(['-m', mode, '-o', serverOptions, 'restart']),
    async sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = [], database = 'postgres') {
      const client = new pg.Client({ connectionString: url(database) });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query<R>(text, params)).rows;
      } finally {
        await client.end();
      }
    },
    destroy() {
      try {
        run('pg_ctl', ctlArgs(['-m', 'immediate', 'stop']));
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A fresh schema name for one test: pakt's tables of that test live there alone. */
export function freshSchemaName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
