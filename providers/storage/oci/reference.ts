/**
 * Image references (`host[:port]/repository[:tag][@sha256:…]`) and registry URLs
 * (`oci://host[:port]/namespace`, `http(s)://…`), parsed by the grammar of the distribution
 * project's reference package, with Docker's defaults: a reference without a registry host is on
 * Docker Hub (`docker.io`, reached at `registry-1.docker.io`), where a one-part name is an
 * official image under `library/`.
 *
 * Every function is total on strings: bad input gives E_OCI_REFERENCE_INVALID, never a crash, and
 * input is length-capped before any regular expression sees it.
 */
import { RegistryError } from '../../../src/errors.js';

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API is served (docker.io itself only redirects there). */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';

/** One path component: lowercase alphanumerics joined by `.`, `_`, `__` or any run of `-`. */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DOMAIN_COMPONENT = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const PORT = /^[0-9]{1,5}$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
/** Repository names are shorter than 256 characters (distribution-spec). */
export const MAX_REPOSITORY_CHARS = 255;
const MAX_REFERENCE_CHARS = 4096;

export interface ImageReference {
  /** The registry as written, lowercased host (`docker.io` for Docker Hub, `127.0.0.1:5000`, `[::1]:5000`). */
  readonly registry: string;
  /** The host[:port] that serves the API: the registry, except Docker Hub's `registry-1.docker.io`. */
  readonly endpoint: string;
  /** The repository path, `library/` added for Docker Hub's one-part names. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

function invalid(what: string, input: string, why: string, example: string): RegistryError {
  const shown = input.length > 120 ? `${input.slice(0, 120)}…` : input;
  return new RegistryError('E_OCI_REFERENCE_INVALID', `${what} '${shown}' is not valid: ${why} (example: ${example})`, { found: shown, expected: example });
}

const REF_EXAMPLE = '127.0.0.1:5000/pakt/demo:1.0.0 or ubuntu@sha256:<64 hex>';

/** True for a host[:port] that only this machine can reach (Docker treats these as insecure registries too). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Checks a `host[:port]` and returns it with the host lowercased; undefined when it is not one. */
export function normalizeAuthority(authority: string): string | undefined {
  let host: string;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return undefined;
    host = authority.slice(0, close + 1);
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    port = rest === '' ? undefined : rest.slice(1);
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host) || host.length < 4) return undefined;
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? undefined : authority.slice(colon + 1);
    if (host === '' || !host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return undefined;
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) return undefined;
  return port === undefined ? host.toLowerCase() : `${host.toLowerCase()}:${port}`;
}

/** A repository path: components of PATH_COMPONENT joined by `/`, under 256 characters. */
export function isRepositoryPath(path: string): boolean {
  return path.length > 0 && path.length <= MAX_REPOSITORY_CHARS && path.split('/').every((c) => PATH_COMPONENT.test(c));
}

export function isTag(tag: string): boolean {
  return TAG.test(tag);
}

/** A digest `algorithm:hex`, with the length its algorithm needs for sha256 and sha512. */
export function isImageDigest(digest: string): boolean {
  const m = DIGEST.exec(digest);
  if (!m) return false;
  const expected = DIGEST_HEX_LENGTH[m[1]!];
  return expected !== undefined && m[2]!.length === expected && m[2] === m[2]!.toLowerCase();
}

/**
 * Parses `[host[:port]/]repository[:tag][@algorithm:hex]` the way `docker pull` does.
 * `parseImageReference('ubuntu')` is `{ registry: 'docker.io', endpoint: 'registry-1.docker.io',
 * repository: 'library/ubuntu' }`; no tag is added (callers that need one use `latest`).
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string' || input === '') throw invalid('image reference', String(input), 'it is empty', REF_EXAMPLE);
  if (input.length > MAX_REFERENCE_CHARS) throw invalid('image reference', input, `it is longer than ${MAX_REFERENCE_CHARS} characters`, REF_EXAMPLE);
  if (/[\s\u0000-\u001f\u007f]/.test(input)) throw invalid('image reference', input, 'it contains white space or control characters', REF_EXAMPLE);
  if (input.includes('://')) throw invalid('image reference', input, 'an image reference has no scheme', REF_EXAMPLE);

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isImageDigest(digest)) throw invalid('image reference', input, `'${digest.slice(0, 80)}' is not a sha256:<64 hex> or sha512:<128 hex> digest in lowercase`, REF_EXAMPLE);
  }
  let tag: string | undefined;
  // A tag follows the last ':' after the last '/' (a ':' before it belongs to a port).
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag)) throw invalid('image reference', input, `tag '${tag.slice(0, 80)}' must be 1-128 letters, digits, _ . - and not start with . or -`, REF_EXAMPLE);
  }

  const slash = rest.indexOf('/');
  const first = slash === -1 ? rest : rest.slice(0, slash);
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.startsWith('[') || first.toLowerCase() !== first);
  let registry = DOCKER_HUB;
  let path = rest;
  if (hasDomain) {
    const authority = normalizeAuthority(first);
    if (authority === undefined) throw invalid('image reference', input, `'${first.slice(0, 80)}' is not a host[:port]`, REF_EXAMPLE);
    registry = authority === LEGACY_DOCKER_HUB ? DOCKER_HUB : authority;
    path = rest.slice(slash + 1);
  }
  if (registry === DOCKER_HUB && path !== '' && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  if (path === '') throw invalid('image reference', input, 'the repository is missing', REF_EXAMPLE);
  if (path !== path.toLowerCase()) throw invalid('image reference', input, 'repository names must be lowercase', REF_EXAMPLE);
  if (!isRepositoryPath(path)) {
    throw invalid('image reference', input, `repository '${path.slice(0, 80)}' must be lowercase components of letters and digits joined by . _ __ or -, separated by /, under 256 characters`, REF_EXAMPLE);
  }
  if (registry === DOCKER_HUB && /^library\/[0-9a-f]{64}$/.test(path) && tag === undefined && digest === undefined) {
    throw invalid('image reference', input, 'a 64-hex name is an image ID, not a repository', REF_EXAMPLE);
  }
  return {
    registry,
    endpoint: registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry,
    repository: path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** The reference as `docker` prints it: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export interface RegistryLocation {
  /** How the API is reached. */
  readonly scheme: 'http' | 'https';
  /** The registry as written in references (`docker.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** The host[:port] that serves the API (`registry-1.docker.io` for Docker Hub). */
  readonly endpoint: string;
  /** Repository prefix every package lives under (`pakt`, `org/pakt`). */
  readonly namespace: string;
  /** The base URL of the API: `<scheme>://<endpoint>/v2/`. */
  readonly apiBase: URL;
}

const URL_EXAMPLE = 'oci://127.0.0.1:5000/pakt or https://ghcr.io/my-org/pakt';

/**
 * Parses the storage URL. `oci://` means https, except to a loopback host (plain http, as Docker
 * treats localhost registries); `http://` and `https://` say it outright. The path is the
 * namespace. Credentials in the URL are refused, and the URL is not echoed in that error.
 */
export function parseRegistryUrl(input: string): RegistryLocation {
  if (typeof input !== 'string' || input === '') throw invalid('registry URL', String(input), 'it is empty', URL_EXAMPLE);
  if (input.length > MAX_REFERENCE_CHARS) throw invalid('registry URL', input, `it is longer than ${MAX_REFERENCE_CHARS} characters`, URL_EXAMPLE);
  const m = /^(oci|https?):\/\/([^/?#]*)(\/[^?#]*)?([?#].*)?$/i.exec(input);
  if (!m) throw invalid('registry URL', input, 'it must start with oci://, http:// or https:// followed by host[:port]/namespace', URL_EXAMPLE);
  const [, schemeRaw, authorityRaw, pathRaw, extra] = m;
  if (authorityRaw!.includes('@')) {
    throw new RegistryError('E_OCI_REFERENCE_INVALID', 'the registry URL contains credentials (user:password@); pass them through the environment or a credentials file instead (the URL is not shown so that they are not printed)', { hint: 'Remove user:password@ from the URL and give the credentials as PAKT_OCI_USERNAME / PAKT_OCI_PASSWORD or in ~/.config/pakt/credentials.json.' });
  }
  if (extra !== undefined) throw invalid('registry URL', input, 'it may not have a query or fragment', URL_EXAMPLE);
  const authority = normalizeAuthority(authorityRaw!);
  if (authority === undefined) throw invalid('registry URL', input, `'${authorityRaw!.slice(0, 80)}' is not a host[:port]`, URL_EXAMPLE);
  const namespace = (pathRaw ?? '').replace(/^\/+|\/+$/g, '');
  if (namespace === '') throw invalid('registry URL', input, 'the namespace (the path after the host) is missing; Pakt keeps its repositories under it', URL_EXAMPLE);
  if (!isRepositoryPath(namespace)) {
    throw invalid('registry URL', input, `namespace '${namespace.slice(0, 80)}' must be lowercase components of letters and digits joined by . _ __ or -, separated by /`, URL_EXAMPLE);
  }
  const registry = authority === LEGACY_DOCKER_HUB ? DOCKER_HUB : authority;
  const endpoint = registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry;
  const scheme = schemeRaw!.toLowerCase();
  const resolved: 'http' | 'https' = scheme === 'oci' ? (isLoopbackHost(hostOf(endpoint)) ? 'http' : 'https') : (scheme as 'http' | 'https');
  return { scheme: resolved, registry, endpoint, namespace, apiBase: new URL(`${resolved}://${endpoint}/v2/`) };
}

/** The host part of host[:port] (brackets kept for IPv6). */
export function hostOf(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.lastIndexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}
