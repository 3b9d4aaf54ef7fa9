import { describe, expect, it } from 'vitest';
import { inferRequirements, parseLockfile, serializeLockfile, type Lockfile } from '../../src/install/lockfile.js';
import { expectCode } from '../helpers/expect-code.js';

const D1 = `sha256:${'1'.repeat(64)}` as const;
const D2 = `sha256:${'2'.repeat(64)}` as const;

describe('pakt-lock.json', () => {
  it('serialises in one fixed form: keys in order, names sorted, one package per line', () => {
    const lock: Lockfile = { requirements: { zeta: '^1.0.0', '@a/b': '>=1.0.0,<2.0.0' }, packages: { zeta: { version: '1.2.0', digest: D1 }, '@a/b': { version: '1.0.0-beta.1', digest: D2 } } };
    const text = serializeLockfile(lock);
    expect(text).toBe(
      `{\n  "lockfileVersion": 1,\n  "requirements": {\n    "@a/b": ">=1.0.0,<2.0.0",\n    "zeta": "^1.0.0"\n  },\n  "packages": {\n    "@a/b": { "version": "1.0.0-beta.1", "digest": "${D2}" },\n    "zeta": { "version": "1.2.0", "digest": "${D1}" }\n  }\n}\n`,
    );
    expect(parseLockfile(text, 'pakt-lock.json')).toEqual(lock);
    expect(serializeLockfile(parseLockfile(text, 'x'))).toBe(text);
    expect(serializeLockfile({ requirements: {}, packages: {} })).toBe('{\n  "lockfileVersion": 1,\n  "requirements": {},\n  "packages": {}\n}\n');
    expect(JSON.parse(text)).toEqual({ lockfileVersion: 1, requirements: lock.requirements, packages: lock.packages });
  });

  it('reads the bare SPEC form (no requirements) and any whitespace', () => {
    expect(parseLockfile(`{"lockfileVersion":1,"packages":{"a":{"version":"1.0.0","digest":"${D1}"}}}`, 'f')).toEqual({ requirements: null, packages: { a: { version: '1.0.0', digest: D1 } } });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['conflict markers', `{\n<<<<<<< HEAD\n"lockfileVersion": 1\n}`, /pakt-lock\.json/],
    ['duplicate keys', `{"lockfileVersion":1,"packages":{},"packages":{}}`, /twice/],
    ['not an object', `[]`, /not a JSON object/],
    ['newer version', `{"lockfileVersion":2,"packages":{}}`, /newer pakt/],
    ['missing version', `{"packages":{}}`, /lockfileVersion must be 1/],
    ['packages missing', `{"lockfileVersion":1}`, /"packages" must be an object/],
    ['bad name', `{"lockfileVersion":1,"packages":{"Bad Name":{"version":"1.0.0","digest":"${D1}"}}}`, /not a valid package name/],
    ['bad version', `{"lockfileVersion":1,"packages":{"a":{"version":"v1","digest":"${D1}"}}}`, /not strict SemVer/],
    ['bad digest', `{"lockfileVersion":1,"packages":{"a":{"version":"1.0.0","digest":"md5:abc"}}}`, /sha256/],
    ['bad range', `{"lockfileVersion":1,"requirements":{"a":"^^1"},"packages":{"a":{"version":"1.0.0","digest":"${D1}"}}}`, /is not a node-semver range or the comma form/],
    ['requirement not locked', `{"lockfileVersion":1,"requirements":{"b":"^1.0.0"},"packages":{"a":{"version":"1.0.0","digest":"${D1}"}}}`, /not among the locked packages/],
    ['proto key', `{"lockfileVersion":1,"packages":{"__proto__":{"version":"1.0.0","digest":"${D1}"}}}`, /__proto__/],
  ];
  for (const [label, text, message] of bad) {
    it(`refuses ${label} (E_LOCK_INVALID)`, async () => {
      const err = await expectCode(() => parseLockfile(text, 'pakt-lock.json'), 'E_LOCK_INVALID');
      expect(err.message).toMatch(message);
    });
  }

  it('infers the roots of a bare lockfile: what nothing depends on, and one of each cycle nothing else reaches', () => {
    const lock: Lockfile = {
      requirements: null,
      packages: { app: { version: '2.1.0', digest: D1 }, lib: { version: '1.0.0', digest: D1 }, x: { version: '1.0.0', digest: D1 }, y: { version: '3.0.0', digest: D1 } },
    };
    const deps: Record<string, Record<string, string>> = { app: { lib: '^1.0.0' }, lib: {}, x: { y: '^3.0.0' }, y: { x: '^1.0.0' } };
    expect(inferRequirements(lock, (n) => deps[n] ?? {})).toEqual({ app: '^2.1.0', x: '^1.0.0' });
  });
});
