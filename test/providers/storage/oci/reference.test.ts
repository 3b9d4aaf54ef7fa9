import { describe, expect, it } from 'vitest';
import { artifactPlace, packageNameOf, versionOfTag } from '../../../../providers/storage/oci/artifact-names.js';
import { parseChallenges } from '../../../../providers/storage/oci/auth.js';
import { formatImageReference, parseImageReference, parseRegistryUrl } from '../../../../providers/storage/oci/reference.js';
import { backoffDelay, DEFAULT_RETRY, withRetry } from '../../../../providers/storage/oci/retry.js';
import { RegistryError } from '../../../../src/errors.js';
import { expectCode } from '../../../helpers/expect-code.js';

const H = 'a'.repeat(64);

describe('image references, parsed as docker does', () => {
  const good: Array<[string, { registry: string; endpoint: string; repository: string; tag?: string; digest?: string }]> = [
    ['ubuntu', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu' }],
    ['ubuntu:22.04', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu', tag: '22.04' }],
    ['library/ubuntu', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu' }],
    ['bitnami/redis:7', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['docker.io/ubuntu', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu' }],
    ['index.docker.io/foo/bar', { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'foo/bar' }],
    [`ubuntu@sha256:${H}`, { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu', digest: `sha256:${H}` }],
    [`ubuntu:22.04@sha256:${H}`, { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'library/ubuntu', tag: '22.04', digest: `sha256:${H}` }],
    ['127.0.0.1:5000/pakt/demo:1.0.0', { registry: '127.0.0.1:5000', endpoint: '127.0.0.1:5000', repository: 'pakt/demo', tag: '1.0.0' }],
    ['localhost/demo', { registry: 'localhost', endpoint: 'localhost', repository: 'demo' }],
    ['localhost:5000/a/b/c', { registry: 'localhost:5000', endpoint: 'localhost:5000', repository: 'a/b/c' }],
    ['ghcr.io/org/x', { registry: 'ghcr.io', endpoint: 'ghcr.io', repository: 'org/x' }],
    ['Registry.Example.com/team/app:v1', { registry: 'registry.example.com', endpoint: 'registry.example.com', repository: 'team/app', tag: 'v1' }],
    ['[::1]:5000/pakt/x', { registry: '[::1]:5000', endpoint: '[::1]:5000', repository: 'pakt/x' }],
    ['myhost:5000/x:tag_with.dots-and_', { registry: 'myhost:5000', endpoint: 'myhost:5000', repository: 'x', tag: 'tag_with.dots-and_' }],
    ['a.b/c__d/e-----f', { registry: 'a.b', endpoint: 'a.b', repository: 'c__d/e-----f' }],
    [`x/y@sha512:${'b'.repeat(128)}`, { registry: 'docker.io', endpoint: 'registry-1.docker.io', repository: 'x/y', digest: `sha512:${'b'.repeat(128)}` }],
  ];
  for (const [input, expected] of good) {
    it(`parses ${input.length > 60 ? `${input.slice(0, 60)}…` : input}`, () => {
      expect(parseImageReference(input)).toEqual(expected);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Ubuntu', /lowercase/],
    ['docker.io/Ubuntu', /lowercase/],
    ['ubuntu:', /tag/],
    ['ubuntu:-x', /tag/],
    [`ubuntu:${'t'.repeat(129)}`, /tag/],
    ['ubuntu@sha256:abc', /digest/],
    [`ubuntu@sha256:${'A'.repeat(64)}`, /digest/],
    [`ubuntu@md5:${'a'.repeat(32)}`, /digest/],
    ['a..b', /repository/],
    ['a/b_', /repository/],
    ['a/-b', /repository/],
    ['host:99999/x', /host/],
    ['bad_host.com:5000/x', /host/],
    ['https://ghcr.io/x', /scheme/],
    ['a b', /white space/],
    ['127.0.0.1:5000/', /repository is missing/],
    [`${'a/'.repeat(130)}b`, /repository/],
    [H, /image ID/],
  ];
  for (const [input, why] of bad) {
    it(`refuses '${input.slice(0, 40)}' with E_OCI_REFERENCE_INVALID`, async () => {
      const err = await expectCode(() => parseImageReference(input), 'E_OCI_REFERENCE_INVALID');
      expect(err.message).toMatch(why);
    });
  }

  it('formats back to the familiar form', () => {
    expect(formatImageReference(parseImageReference('127.0.0.1:5000/pakt/demo:1.0.0'))).toBe('127.0.0.1:5000/pakt/demo:1.0.0');
    expect(formatImageReference(parseImageReference(`ubuntu@sha256:${H}`))).toBe(`docker.io/library/ubuntu@sha256:${H}`);
  });

  it('never crashes on junk', () => {
    for (const junk of ['@', ':', '/', '//', '@@', ':@', '[', '[::1', '[]:1/x', 'a:b:c/d', '\u0000', 'x'.repeat(10_000)]) {
      expect(() => parseImageReference(junk)).toThrow(RegistryError);
    }
  });
});

describe('registry URLs', () => {
  it('oci:// is https, plain http to loopback; http(s):// as written', () => {
    expect(parseRegistryUrl('oci://127.0.0.1:5000/pakt')).toMatchObject({ scheme: 'http', registry: '127.0.0.1:5000', namespace: 'pakt' });
    expect(parseRegistryUrl('oci://localhost:5000/a/b/')).toMatchObject({ scheme: 'http', namespace: 'a/b' });
    expect(parseRegistryUrl('oci://ghcr.io/my-org/pakt')).toMatchObject({ scheme: 'https', registry: 'ghcr.io', namespace: 'my-org/pakt' });
    expect(parseRegistryUrl('https://127.0.0.1:5443/pakt')).toMatchObject({ scheme: 'https' });
    expect(parseRegistryUrl('oci://docker.io/me').apiBase.href).toBe('https://registry-1.docker.io/v2/');
  });

  it('refuses credentials in the URL without echoing them', async () => {
    const err = await expectCode(() => parseRegistryUrl('oci://alice:s3cret-pw@ghcr.io/x'), 'E_OCI_REFERENCE_INVALID');
    expect(JSON.stringify(err.toJSON()) + err.message + err.stack).not.toContain('s3cret-pw');
  });

  it('refuses other schemes, a missing namespace, queries and bad hosts', async () => {
    for (const url of ['ftp://h/x', 'oci://h', 'oci://h/', 'oci://h/x?y=1', 'oci://h_/x', 'oci://h/UP', 'h:5000/x']) {
      await expectCode(() => parseRegistryUrl(url), 'E_OCI_REFERENCE_INVALID');
    }
  });
});

describe('package name and version to repository and tag', () => {
  it('maps as SPEC §12 says, and back', () => {
    expect(artifactPlace('pakt', { name: 'demo', version: '1.0.0' })).toEqual({ repository: 'pakt/demo', tag: '1.0.0' });
    expect(artifactPlace('org/pakt', { name: '@acme/tool', version: '2.0.0-rc.1+build.5' })).toEqual({ repository: 'org/pakt/acme/tool', tag: '2.0.0-rc.1_build.5' });
    expect(packageNameOf('org/pakt', 'org/pakt/acme/tool')).toBe('@acme/tool');
    expect(packageNameOf('pakt', 'pakt/demo')).toBe('demo');
    expect(packageNameOf('pakt', 'other/demo')).toBeUndefined();
    expect(packageNameOf('pakt', 'pakt/a/b/c')).toBeUndefined();
    expect(versionOfTag('2.0.0-rc.1_build.5')).toBe('2.0.0-rc.1+build.5');
  });

  it('refuses names the OCI grammar cannot hold, rather than rewriting them', async () => {
    for (const name of ['foo.', 'foo-', 'foo_', 'a..b', 'a._b', 'a-.b', 'a___b', '@s./x']) {
      const err = await expectCode(() => artifactPlace('pakt', { name, version: '1.0.0' }), 'E_OCI_NAME_UNSUPPORTED');
      expect(err.message).toContain(name.replace(/^@/, '').split('/')[0]!.slice(0, 3));
    }
    await expectCode(() => artifactPlace('pakt', { name: 'x', version: `1.0.0-${'a'.repeat(130)}` }), 'E_OCI_NAME_UNSUPPORTED');
    await expectCode(() => artifactPlace('p'.repeat(200), { name: 'x'.repeat(60), version: '1.0.0' }), 'E_OCI_NAME_UNSUPPORTED');
    await expectCode(() => artifactPlace('pakt', undefined as never), 'E_INVALID_ARGUMENT');
  });
});

describe('WWW-Authenticate challenges', () => {
  it('reads Bearer and Basic challenges with quoted commas', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    expect(parseChallenges(['Basic realm=x', 'Bearer realm="r", error="insufficient_scope"'])).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'r', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([{ scheme: 'bearer', params: { realm: 'unterminated' } }]);
    expect(() => parseChallenges('=,=,"""\\')).not.toThrow();
  });
});

describe('retry with backoff and jitter', () => {
  it('waits at most base·2^n, capped, and retries only retryable errors, bounded in count and time', async () => {
    const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, maxElapsedMs: 10_000 };
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(249);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    const waits: number[] = [];
    let tries = 0;
    const retryable = () => new RegistryError('E_REMOTE_NETWORK', 'down', { retryable: true });
    const err = await withRetry(policy, async () => {
      tries++;
      throw retryable();
    }, { sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e as RegistryError);
    expect(tries).toBe(4);
    expect(err.details['attempts']).toBe(4);
    expect(waits).toHaveLength(3);
    tries = 0;
    await expect(withRetry(policy, async () => {
      tries++;
      throw new RegistryError('E_REMOTE_DENIED', 'no');
    })).rejects.toMatchObject({ code: 'E_REMOTE_DENIED' });
    expect(tries).toBe(1);
    // Bounded in time: with a clock that jumps, no retry starts past maxElapsedMs.
    let clock = 0;
    tries = 0;
    await withRetry({ ...DEFAULT_RETRY, attempts: 100, maxElapsedMs: 1000 }, async () => {
      tries++;
      clock += 400;
      throw retryable();
    }, { now: () => clock, sleep: async () => undefined }).catch(() => undefined);
    expect(tries).toBeLessThanOrEqual(3);
  });
});
