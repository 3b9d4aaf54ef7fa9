/**
 * A token server for the registry's `auth: token` (the Docker token protocol), written for the
 * tests: it checks Basic credentials (or an OAuth2 refresh token on POST), and signs an ES256 JWT
 * with an x5c header whose certificate the registry trusts, granting each account the actions it
 * has. It counts the tokens it issued per scope.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Account {
  readonly password: string;
  /** Actions granted on every repository (`pull`, `push`, `delete`) and on the catalog (`*`). */
  readonly actions: readonly string[];
}

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certFile: string;
  /** Tokens issued, by the scope string(s) asked for. */
  readonly issued: Map<string, number>;
  expiresInSeconds: number;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export async function startTokenServer(dir: string, accounts: Record<string, Account>, refreshTokens: Record<string, string> = {}): Promise<TokenServer> {
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=pakt-test-token-issuer', '-days', '2'], { stdio: 'ignore' });
  const key: KeyObject = createPrivateKey(readFileSync(keyFile));
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const service = 'pakt-test-registry';
  const issuer = 'pakt-test-issuer';
  const issued = new Map<string, number>();

  const grant = (user: string | undefined, scopes: string[]): Array<{ type: string; name: string; actions: string[] }> => {
    const allowed = user ? accounts[user]!.actions : [];
    return scopes.map((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()!.split(',');
      const name = rest.join(':');
      return { type: type!, name, actions: actions.filter((a) => allowed.includes(a) || (a === '*' && allowed.includes('*'))) };
    }).filter((a) => a.actions.length > 0);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const respond = (user: string | undefined, scopes: string[]): void => {
      issued.set(scopes.join(' '), (issued.get(scopes.join(' ')) ?? 0) + 1);
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer] };
      const claims = { iss: issuer, sub: user ?? '', aud: service, exp: now + api.expiresInSeconds + 5, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access: grant(user, scopes) };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      const token = `${input}.${b64url(signature)}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: api.expiresInSeconds, issued_at: new Date(now * 1000).toISOString() }));
    };
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const user = refreshTokens[form.get('refresh_token') ?? ''];
        if (form.get('grant_type') !== 'refresh_token' || !user) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        respond(user, (form.get('scope') ?? '').split(' ').filter(Boolean));
      });
      return;
    }
    let user: string | undefined;
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const [name, ...pw] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      if (!name || accounts[name]?.password !== pw.join(':')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      user = name;
    }
    respond(user, url.searchParams.getAll('scope'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const api: TokenServer = {
    realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    service,
    issuer,
    certFile,
    issued,
    expiresInSeconds: 300,
    close: () => new Promise((r) => server.close(() => r())),
  };
  return api;
}
