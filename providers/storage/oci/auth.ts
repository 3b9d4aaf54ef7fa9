/**
 * Registry authentication as Docker does it: anonymous until the registry answers 401, then what
 * its `WWW-Authenticate` challenge asks for: `Basic` (credentials on every request from then on)
 * or `Bearer realm=…,service=…,scope=…` (a token from the realm for the scope, cached per scope
 * until shortly before it expires; fetched with the credentials, or anonymously when there are
 * none, or traded for an identity token through the OAuth2 refresh-token grant).
 */
import { RegistryError } from '../../../src/errors.js';
import { findCredentials, type CredentialSources, type FoundCredentials, type Redactor } from './credentials.js';
import type { HttpTransport } from './http.js';
import { shownUrl } from './http.js';
import { isLoopbackHost } from './reference.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface Challenge {
  /** Lowercased scheme: `basic`, `bearer`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a WWW-Authenticate header (RFC 7235): one or more challenges, each a scheme and
 * comma-separated `key=value` or `key="quoted, value"` parameters.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : (header as string);
  const out: Challenge[] = [];
  let i = 0;
  const n = Math.min(text.length, 16 * 1024);
  let current: { scheme: string; params: Record<string, string> } | undefined;
  const skipSpace = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  while (i < n) {
    skipSpace();
    const tokenStart = i;
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(text[i]!)) i++;
    const token = text.slice(tokenStart, i);
    if (token === '') {
      i++;
      continue;
    }
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '=' && current) {
      i++;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < n && text[i] !== ',' && text[i] !== ' ') i++;
        value = text.slice(vs, i);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

/** A scope as the token server reads it: `repository:<name>:pull,push`, `registry:catalog:*`; several joined by spaces. */
export type Scope = string;

export function repositoryScope(repository: string, actions: 'pull' | 'pull,push' | 'delete'): Scope {
  return `repository:${repository}:${actions}`;
}
export const CATALOG_SCOPE: Scope = 'registry:catalog:*';

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

export interface AuthenticatorOptions {
  readonly registry: string;
  readonly transport: HttpTransport;
  readonly sources: CredentialSources;
  readonly redactor: Redactor;
  readonly retry: RetryPolicy;
  /** Allows a plain-http token realm on a host other than loopback. */
  readonly plainHttp: boolean;
  readonly now?: () => number;
}

const MAX_CACHED_TOKENS = 1000;

export class Authenticator {
  private scheme: 'unknown' | 'basic' | 'bearer' = 'unknown';
  private bearer: { realm: URL; service: string | undefined } | undefined;
  private found: Promise<FoundCredentials> | undefined;
  private readonly tokens = new Map<Scope, CachedToken>();
  private readonly pending = new Map<Scope, Promise<string>>();
  /** Token fetches made (tests check the per-scope cache with it). */
  tokenRequests = 0;

  constructor(private readonly options: AuthenticatorOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  credentials(): Promise<FoundCredentials> {
    this.found ??= findCredentials(this.options.registry, this.options.sources).then((f) => {
      this.options.redactor.addCredentials(f.credentials);
      return f;
    });
    return this.found;
  }

  /** The Authorization header for a request in `scope`, from what is known so far (no round trip, except to renew a token). */
  async header(scope: Scope): Promise<string | undefined> {
    if (this.scheme === 'basic') {
      const { credentials } = await this.credentials();
      return credentials && 'password' in credentials ? basic(credentials.username, credentials.password) : undefined;
    }
    if (this.scheme === 'bearer') {
      const { credentials } = await this.credentials();
      if (credentials && 'registryToken' in credentials) return `Bearer ${credentials.registryToken}`;
      const cached = this.tokens.get(scope);
      if (cached && cached.refreshAt > this.now()) return `Bearer ${cached.token}`;
      return `Bearer ${await this.token(scope, [scope])}`;
    }
    return undefined;
  }

  /** Learns the scheme from a challenge without answering it (the ping of /v2/). */
  learn(wwwAuthenticate: string | readonly string[] | undefined): void {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer && bearer.params['realm']) {
      this.scheme = 'bearer';
      this.bearer = { realm: this.realmUrl(bearer.params['realm']), service: bearer.params['service'] };
    } else if (challenges.some((c) => c.scheme === 'basic')) this.scheme = 'basic';
  }

  /**
   * Learns from a 401's challenge. The first 401 of a request (`retried` false) sets the scheme
   * and fetches a token for the scope, and the request is worth sending again; a 401 to the
   * request sent again throws what the challenge says: credentials refused, missing, or short of
   * the scope.
   */
  async challenged(wwwAuthenticate: string | readonly string[] | undefined, scope: Scope, retried: boolean, what: string): Promise<void> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basicChallenge = challenges.find((c) => c.scheme === 'basic');
    const found = await this.credentials();
    if (bearer && bearer.params['realm']) {
      const asked = bearer.params['scope'];
      if (retried) {
        if (bearer.params['error'] === 'insufficient_scope' && found.credentials) {
          throw new RegistryError('E_REMOTE_DENIED', `${what}: the token for ${found.source} does not grant ${asked ?? scope}`, { scope: asked ?? scope, host: this.options.registry });
        }
        throw this.rejected(found, what, bearer);
      }
      this.scheme = 'bearer';
      this.bearer = { realm: this.realmUrl(bearer.params['realm']), service: bearer.params['service'] };
      if (found.credentials && 'registryToken' in found.credentials) return;
      this.tokens.delete(scope);
      await this.token(scope, asked && asked !== scope ? [scope, ...asked.split(' ').filter((s) => s !== scope)] : [scope]);
      return;
    }
    if (basicChallenge) {
      if (!found.credentials || !('password' in found.credentials)) {
        throw new RegistryError('E_REMOTE_AUTH_REQUIRED', `${what}: ${this.options.registry} asks for a user name and password, and ${found.credentials ? `${found.source} gives a token instead` : 'none were found'}`, { host: this.options.registry, source: found.source });
      }
      if (retried) throw this.rejected(found, what, basicChallenge);
      this.scheme = 'basic';
      return;
    }
    throw new RegistryError('E_OCI_PROTOCOL', `${what}: ${this.options.registry} answered 401 without a Basic or Bearer challenge Pakt can answer`, { host: this.options.registry });
  }

  private rejected(found: FoundCredentials, what: string, challenge: Challenge): RegistryError {
    if (!found.credentials) {
      return new RegistryError('E_REMOTE_AUTH_REQUIRED', `${what}: ${this.options.registry} does not allow anonymous access and no credentials were found for it`, { host: this.options.registry, source: found.source });
    }
    return new RegistryError('E_REMOTE_AUTH_FAILED', `${what}: ${this.options.registry} refused the credentials from ${found.source} (${challenge.scheme} ${challenge.params['error'] ?? 'authentication'})`, { host: this.options.registry, source: found.source });
  }

  private realmUrl(realm: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError('E_OCI_PROTOCOL', `${this.options.registry} names a token realm that is not a URL`, { host: this.options.registry });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryError('E_OCI_PROTOCOL', `${this.options.registry} names a token realm of scheme ${url.protocol}`, { host: this.options.registry });
    if (url.protocol === 'http:' && !this.options.plainHttp && !isLoopbackHost(url.hostname)) {
      throw new RegistryError('E_OCI_PROTOCOL', `${this.options.registry} names a plain-http token realm on ${url.host}; Pakt does not send credentials there unencrypted`, { host: url.host, hint: 'Serve the token endpoint over https, or pass plainHttp: true if this network is trusted.' });
    }
    return url;
  }

  /** A fresh token for `scope` (requesting `scopes`), one fetch at a time per scope. */
  private token(scope: Scope, scopes: readonly Scope[]): Promise<string> {
    const inFlight = this.pending.get(scope);
    if (inFlight) return inFlight;
    const p = this.fetchToken(scopes).then((t) => {
      if (this.tokens.size >= MAX_CACHED_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
      this.tokens.set(scope, t);
      return t.token;
    }).finally(() => this.pending.delete(scope));
    this.pending.set(scope, p);
    return p;
  }

  private async fetchToken(scopes: readonly Scope[]): Promise<CachedToken> {
    const bearer = this.bearer!;
    const found = await this.credentials();
    const creds = found.credentials;
    const url = new URL(bearer.realm);
    const what = `getting a token from ${shownUrl(url)}`;
    let exchange: { method: string; url: URL; headers: Record<string, string>; body?: Buffer };
    if (creds && 'identityToken' in creds) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'pakt' });
      if (bearer.service) form.set('service', bearer.service);
      form.set('scope', scopes.join(' '));
      exchange = { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: Buffer.from(form.toString()) };
    } else {
      if (bearer.service) url.searchParams.set('service', bearer.service);
      for (const s of scopes) for (const one of s.split(' ')) url.searchParams.append('scope', one);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (creds && 'password' in creds) headers['authorization'] = basic(creds.username, creds.password);
      exchange = { method: 'GET', url, headers };
    }
    this.tokenRequests++;
    const started = this.now();
    const body = await withRetry(this.options.retry, async () => {
      const res = await this.options.transport.send(exchange);
      if (res.status === 200) return res.text(1024 * 1024);
      res.discard();
      if (res.status === 401) throw this.rejected(found, what, { scheme: 'bearer', params: {} });
      if (res.status === 403) throw new RegistryError('E_REMOTE_DENIED', `${what}: the token server refused ${scopes.join(' ')} for ${found.source}`, { host: url.host, scope: scopes.join(' ') });
      if (res.status === 429 || res.status >= 500) throw new RegistryError('E_REMOTE_UNAVAILABLE', `${what}: the token server answered ${res.status}`, { retryable: true, status: res.status, host: url.host });
      throw new RegistryError('E_OCI_PROTOCOL', `${what}: the token server answered ${res.status}`, { status: res.status, host: url.host });
    });
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new RegistryError('E_OCI_PROTOCOL', `${what}: the answer is not JSON`, { host: url.host });
    }
    const token = json['token'] ?? json['access_token'];
    if (typeof token !== 'string' || token === '') throw new RegistryError('E_OCI_PROTOCOL', `${what}: the answer has no token`, { host: url.host });
    this.options.redactor.add(token);
    // The token spec: expires_in defaults to 60 s; renew a little before, never use one past it.
    const lifetimeMs = (typeof json['expires_in'] === 'number' && json['expires_in'] > 0 ? json['expires_in'] : 60) * 1000;
    const margin = Math.min(10_000, lifetimeMs / 4);
    return { token, refreshAt: started + lifetimeMs - margin };
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
