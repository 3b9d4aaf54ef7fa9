/**
 * The remote client: the library API over HTTP against a Pakt server's /v1 routes (same method
 * names, same result shapes, the server's error codes). Downloads stream and are verified
 * against the version's digest as they flow; publishes stream the archive as the request body.
 * Maintenance that runs on the store's own machine (verify, gc, rebuild, install) is refused
 * with E_REMOTE_UNSUPPORTED.
 */
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { SearchOptions, SearchResult, VersionRecord, VersioningProvider } from '../contracts/index.js';
import type { DeletedVersion, DownloadResult, PublishInput, PublishResult, VersionList } from '../core/types.js';
import { RegistryError } from '../errors.js';
import { dependencyTree } from '../resolve/index.js';
import type { DependencyTreeNode, Resolution, RootRequirements } from '../resolve/types.js';
import { createVerifiedReadable } from '../util/verify-stream.js';
import { writeStreamToTempFile } from '../util/write-stream-to-temp.js';
import { HttpClient, type HttpOptions } from './http.js';

export interface RemoteRegistryOptions extends Omit<HttpOptions, 'baseUrl'> {
  /** The server, e.g. http://127.0.0.1:4873 (a trailing /v1 or slash is fine). */
  url: string;
  /** The version scheme the server uses, for trees built here (the composition root gives SemVer). */
  versioning: VersioningProvider;
}

export class RemoteRegistry {
  readonly url: string;
  private readonly http: HttpClient;
  private readonly versioning: VersioningProvider;
  private closed = false;

  constructor(options: RemoteRegistryOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new RegistryError('E_UPSTREAM_INVALID', `'${String(options.url).slice(0, 200)}' is not a URL of a Pakt server`);
    }
    if (!/^https?:$/.test(url.protocol) || url.username !== '' || url.password !== '') {
      throw new RegistryError('E_UPSTREAM_INVALID', `a registry URL is http(s)://host[:port] without credentials in it (got ${url.protocol}//${url.host})`);
    }
    this.url = serverBaseUrl(url.toString());
    const { versioning, url: _url, ...http } = options;
    this.versioning = versioning;
    this.http = new HttpClient({ ...http, baseUrl: this.url });
  }

  async publishPackage(input: PublishInput): Promise<PublishResult> {
    this.assertOpen();
    const body = typeof input === 'string' ? createReadStream(input) : input instanceof Uint8Array ? Readable.from([input]) : input;
    return this.http.json<PublishResult>({
      method: 'PUT',
      path: '/v1/packages',
      body: Readable.toWeb(body as Readable),
      headers: { 'content-type': 'application/zip' },
      idempotent: false,
    });
  }

  async getPackageInfo(name: string, versionOrRange: string = 'latest'): Promise<VersionRecord> {
    this.assertOpen();
    return this.http.json<VersionRecord>({ method: 'GET', path: `/v1/packages/${enc(name)}/${encodeURIComponent(versionOrRange)}`, idempotent: true });
  }

  async listVersions(name: string): Promise<VersionList> {
    this.assertOpen();
    return this.http.json<VersionList>({ method: 'GET', path: `/v1/packages/${enc(name)}`, idempotent: true });
  }

  async searchPackages(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    this.assertOpen();
    const q = new URLSearchParams({ q: query });
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    return this.http.json<SearchResult>({ method: 'GET', path: `/v1/packages?${q.toString()}`, idempotent: true });
  }

  /** The archive's bytes, verified against the version's digest as they arrive. */
  async downloadPackage(name: string, versionOrRange: string = 'latest'): Promise<Readable> {
    this.assertOpen();
    const record = await this.getPackageInfo(name, versionOrRange);
    const response = await this.http.request({ method: 'GET', path: `/v1/packages/${enc(name)}/${encodeURIComponent(record.version)}/archive`, idempotent: true });
    if (!response.body) throw new RegistryError('E_REMOTE_UNAVAILABLE', `${this.url}: the archive of ${name}@${record.version} came without a body`, { retryable: true });
    const source = Readable.fromWeb(response.body as never);
    return createVerifiedReadable(source, { expectedDigest: record.digest, expectedSize: record.size, path: `${this.url} ${name}@${record.version}` });
  }

  async downloadToFile(name: string, versionOrRange: string, file: string, options: { overwrite?: boolean } = {}): Promise<DownloadResult> {
    const target = path.resolve(file);
    if (options.overwrite === false) {
      const { existsSync } = await import('node:fs');
      if (existsSync(target)) throw new RegistryError('E_OUTPUT_EXISTS', `${target} exists`, { path: target });
    }
    const record = await this.getPackageInfo(name, versionOrRange);
    const temp = await writeStreamToTempFile(await this.downloadPackage(name, record.version), path.dirname(target));
    try {
      await rename(temp.path, target);
    } catch (err) {
      await rm(temp.path, { force: true });
      throw err;
    }
    return { name: record.name, version: record.version, digest: record.digest, size: record.size, file: target };
  }

  async resolveDependency(name: string, range: string = 'latest'): Promise<Resolution> {
    return this.resolveDependencies({ [name]: range });
  }

  async resolveDependencies(root: RootRequirements): Promise<Resolution> {
    this.assertOpen();
    return this.http.json<Resolution>({ method: 'POST', path: '/v1/resolve', body: JSON.stringify({ requirements: root }), headers: { 'content-type': 'application/json' }, idempotent: true });
  }

  /** Built here from the server's version lists (the server has no tree route). */
  async getDependencyTree(name: string, range: string = 'latest'): Promise<DependencyTreeNode> {
    this.assertOpen();
    const source = {
      versions: async (n: string) => {
        try {
          const list = await this.listVersions(n);
          return list.versions.map((r) => ({ version: r.version, dependencies: r.metadata.dependencies ?? {} }));
        } catch (err) {
          if (err instanceof RegistryError && err.code === 'E_PACKAGE_NOT_FOUND') return [];
          throw err;
        }
      },
    };
    return dependencyTree(name, range, source, this.versioning);
  }

  async deletePackage(name: string, version?: string): Promise<DeletedVersion[]> {
    this.assertOpen();
    if (version === undefined) {
      const out: DeletedVersion[] = [];
      for (const r of (await this.listVersions(name)).versions) out.push(...(await this.deletePackage(name, r.version)));
      return out;
    }
    const answer = await this.http.json<{ deleted?: DeletedVersion[] } | DeletedVersion>({ method: 'DELETE', path: `/v1/packages/${enc(name)}/${encodeURIComponent(version)}`, idempotent: true });
    return 'deleted' in answer && Array.isArray(answer.deleted) ? answer.deleted : [answer as DeletedVersion];
  }

  /** Who the token belongs to (GET /v1/whoami). */
  async whoami(): Promise<{ user: string; role?: string; scopes?: string[] }> {
    this.assertOpen();
    return this.http.json({ method: 'GET', path: '/v1/whoami', idempotent: true });
  }

  verify(): Promise<never> {
    return unsupported('verify');
  }

  gc(): Promise<never> {
    return unsupported('gc');
  }

  rebuildMetadata(): Promise<never> {
    return unsupported('rebuild');
  }

  install(): Promise<never> {
    return unsupported('install');
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new RegistryError('E_CLOSED', 'this remote registry was closed; open a new one with openRegistry({ url })');
  }
}

/** A scoped name as two segments (@scope/name), which the server accepts as well as %40scope%2Fname. */
function enc(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

function unsupported(what: string): Promise<never> {
  return Promise.reject(new RegistryError('E_REMOTE_UNSUPPORTED', `${what} runs on the store's own machine, not through a remote registry`));
}

/** A server's URL as the client keeps it: no trailing slash, no `/v1` (the client adds its routes). */
export function serverBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}
