/**
 * Manifests, tags and the catalog through the distribution API: read (verified against the
 * digest it is fetched by, or the one the registry names), write, delete by digest (a tag goes
 * with its manifest), and the paginated tag and repository listings.
 */
import type { Digest } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { digestOfBytes } from '../../../src/util/digest.js';
import { CATALOG_SCOPE, repositoryScope } from './auth.js';
import { MANIFEST_MEDIA_TYPE, MAX_MANIFEST_BYTES, type Manifest } from './artifact-manifest.js';
import { parseErrorBody, type RegistryClient } from './client.js';
import type { HttpResponse } from './http.js';

const ACCEPT = `${MANIFEST_MEDIA_TYPE}, application/vnd.oci.image.index.v1+json;q=0.5, application/vnd.docker.distribution.manifest.v2+json;q=0.5`;

const PAGE = 1000;

function ref(repository: string, reference: string): string {
  return `${repository}:${reference}`.replace(':sha256:', '@sha256:');
}

/** The manifest at a tag or digest, its bytes checked; undefined when the repository or manifest is unknown. */
export async function getManifest(client: RegistryClient, repository: string, reference: string): Promise<Manifest | undefined> {
  const what = `reading the manifest of ${ref(repository, reference)}`;
  const res = await client.request({ method: 'GET', url: `${repository}/manifests/${reference}`, scope: repositoryScope(repository, 'pull'), expect: [200, 404], headers: { accept: ACCEPT }, what });
  if (res.status === 404) {
    res.discard();
    return undefined;
  }
  let text: Buffer;
  try {
    text = await res.bytes(MAX_MANIFEST_BYTES);
  } catch (err) {
    throw client.scrub(err);
  }
  const digest = digestOfBytes(text);
  const named = res.headers['docker-content-digest'];
  const expected = reference.startsWith('sha256:') ? reference : typeof named === 'string' && named.startsWith('sha256:') ? named : undefined;
  if (expected !== undefined && expected !== digest) {
    throw new RegistryError('E_OCI_MANIFEST_INVALID', `${what}: its bytes hash to ${digest}, not to ${expected}`, { path: ref(repository, reference), expected, found: digest });
  }
  return { bytes: text, digest };
}

/** The digest of the manifest at a tag, or undefined. */
export async function headManifest(client: RegistryClient, repository: string, reference: string): Promise<Digest | undefined> {
  const res = await client.request({ method: 'HEAD', url: `${repository}/manifests/${reference}`, scope: repositoryScope(repository, 'pull'), expect: [200, 404], headers: { accept: ACCEPT }, what: `looking up ${ref(repository, reference)}` });
  res.discard();
  if (res.status === 404) return undefined;
  const d = res.headers['docker-content-digest'];
  if (typeof d === 'string' && d.startsWith('sha256:')) return d as Digest;
  // A registry that does not name the digest on HEAD: read the manifest itself.
  return (await getManifest(client, repository, reference))?.digest;
}

export async function putManifest(client: RegistryClient, repository: string, reference: string, manifest: Manifest): Promise<void> {
  const what = `writing the manifest of ${ref(repository, reference)}`;
  const res = await client.request({
    method: 'PUT', url: `${repository}/manifests/${reference}`, scope: repositoryScope(repository, 'pull,push'), expect: [200, 201, 202],
    headers: { 'content-type': MANIFEST_MEDIA_TYPE }, body: manifest.bytes, idempotent: true, what,
  });
  res.discard();
  const named = res.headers['docker-content-digest'];
  if (typeof named === 'string' && named.startsWith('sha256:') && named !== manifest.digest) {
    throw new RegistryError('E_OCI_MANIFEST_INVALID', `${what}: the registry stored it as ${named}, not as ${manifest.digest} (it must keep a manifest's bytes as sent)`, { expected: manifest.digest, found: named });
  }
}

/** Deletes a manifest (and every tag on it); false when it was not there. */
export async function deleteManifest(client: RegistryClient, repository: string, digest: Digest): Promise<boolean> {
  const what = `deleting ${repository}@${digest}`;
  const res = await client.request({ method: 'DELETE', url: `${repository}/manifests/${digest}`, scope: repositoryScope(repository, 'delete'), expect: [200, 202, 204, 404, 405], what });
  if (res.status === 405) throw await deleteDisabled(client, res, what);
  res.discard();
  return res.status !== 404;
}

/** A 405 or UNSUPPORTED to a delete: the registry has deletion switched off. */
export async function deleteDisabled(client: RegistryClient, res: HttpResponse, what: string): Promise<RegistryError> {
  const codes = parseErrorBody(await res.text(64 * 1024).catch(() => '')).map((e) => e.code);
  return client.scrub(new RegistryError('E_OCI_REJECTED', `${what}: the registry does not allow deletion (405${codes.length ? ` ${codes.join(', ')}` : ''})`, {
    status: 405, registryCodes: codes,
    hint: 'Enable deletion on the registry (distribution: storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true; see docs/scale-out.md for managed registries), then run the command again.',
  }));
}

/** The `next` URL of an RFC 5988 Link header, if any. */
export function nextLink(res: HttpResponse, base: URL): URL | undefined {
  const link = res.headers.link;
  if (typeof link !== 'string') return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return new URL(m[1]!, base);
  }
  return undefined;
}

async function* paged(client: RegistryClient, first: URL, scope: string, what: string, key: 'tags' | 'repositories', missing: 'empty' | 'unsupported'): AsyncGenerator<string> {
  let url: URL | undefined = first;
  let pages = 0;
  while (url) {
    if (++pages > 100_000) throw new RegistryError('E_OCI_PROTOCOL', `${what}: more than 100,000 pages; the registry's Link headers loop`);
    const res = await client.request({ method: 'GET', url, scope, expect: [200, 404], headers: { accept: 'application/json' }, what });
    if (res.status === 404) {
      res.discard();
      if (missing === 'empty') return;
      throw new RegistryError('E_OCI_NOT_A_REGISTRY', `${what}: the registry has no catalog API (/v2/_catalog answered 404); Pakt needs it to list what it stored`, { host: first.host });
    }
    const next = nextLink(res, url);
    let json: unknown;
    try {
      json = JSON.parse(await res.text(32 * 1024 * 1024));
    } catch (err) {
      if (err instanceof RegistryError) throw client.scrub(err);
      throw new RegistryError('E_OCI_PROTOCOL', `${what}: the answer is not JSON`);
    }
    const list = (json as Record<string, unknown> | null)?.[key];
    if (list !== null && list !== undefined && !Array.isArray(list)) throw new RegistryError('E_OCI_PROTOCOL', `${what}: "${key}" is not a list`);
    for (const item of (list as unknown[] | null) ?? []) if (typeof item === 'string') yield item;
    url = next;
  }
}

/** Every tag of a repository (none when the repository does not exist). */
export function listTags(client: RegistryClient, repository: string): AsyncGenerator<string> {
  const url = client.url(`${repository}/tags/list`);
  url.searchParams.set('n', String(PAGE));
  return paged(client, url, repositoryScope(repository, 'pull'), `listing the tags of ${repository}`, 'tags', 'empty');
}

/** Every repository of the registry whose path starts with `prefix/`. */
export async function* listRepositories(client: RegistryClient, prefix: string): AsyncGenerator<string> {
  const url = client.url('_catalog');
  url.searchParams.set('n', String(PAGE));
  for await (const repository of paged(client, url, CATALOG_SCOPE, 'listing the repositories of the registry', 'repositories', 'unsupported')) {
    if (repository.startsWith(`${prefix}/`)) yield repository;
  }
}
