/**
 * `pakt resolve` and `pakt tree` against a real store: packages built, published, then resolved.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempStore, type TempStore } from '../core/helpers.js';
import { cliRunner } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const pakt = cliRunner({ cwd: () => t.dir, store: () => t.store });

/** app → (a, b); a → c ^2; b → c >=1.5; c 1.5.0, 2.0.0, 3.0.0; lib has only a prerelease. */
async function publishGraph(): Promise<void> {
  const registry = await t.open();
  try {
    const graph: Array<[string, string, Record<string, string>]> = [
      ['app', '1.0.0', { a: '^1.0.0', b: '^1.0.0' }],
      ['a', '1.0.0', { c: '^2.0.0' }],
      ['a', '1.1.0', { c: '^3.0.0', missing: '^1.0.0' }],
      ['b', '1.0.0', { c: '>=1.5.0,<3.0.0' }],
      ['c', '1.5.0', {}],
      ['c', '2.0.0', { app: '*' }],
      ['c', '3.0.0', {}],
      ['lib', '1.0.0-beta.1', {}],
      ['uses-lib', '1.0.0', { lib: '^1.0.0' }],
    ];
    for (const [name, version, dependencies] of graph) {
      await registry.publishPackage((await t.pkg(name, version, { dependencies })).file);
    }
  } finally {
    await registry.close();
  }
}

describe('pakt resolve', () => {
  it('prints the solution, one version per package, as {"solution":{...}} with --json', async () => {
    await publishGraph();
    const r = await pakt(['resolve', 'app@^1.0.0', '--json']);
    expect(r.code).toBe(0);
    // a 1.1.0 needs a package that does not exist, so a 1.0.0 is used; c 2.0.0 depends back on app.
    expect(r.json).toEqual({ solution: { a: '1.0.0', app: '1.0.0', b: '1.0.0', c: '2.0.0' } });
    const text = await pakt(['resolve', 'app']);
    expect(text.stdout).toBe('a@1.0.0\napp@1.0.0\nb@1.0.0\nc@2.0.0\n');
  });

  it('fails with exit 1 and the explanation in both the message and the JSON error document', async () => {
    await publishGraph();
    const r = await pakt(['resolve', 'app@^1.0.0', 'c@^3.0.0', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_UNSATISFIABLE\]: Because /);
    expect(r.json.error).toMatchObject({ code: 'E_UNSATISFIABLE', kind: 'conflict' });
    expect(r.json.error.explanation).toBe(r.json.error.message);
    // b pins c below 3 and every app needs b; a is irrelevant (a 1.1.0 would take c 3).
    for (const name of ['root', 'app', 'b', 'c']) expect(r.json.error.explanation).toMatch(new RegExp(`\\b${name}\\b`));
    expect(r.json.error.explanation).toMatch(/version solving failed\.$/);
    expect(r.json.error.derivation.incompatibilities[r.json.error.derivation.failure]).toMatchObject({ text: 'version solving failed' });
  });

  it('says when only prereleases lie in the range', async () => {
    await publishGraph();
    const r = await pakt(['resolve', 'uses-lib', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.kind).toBe('only-prereleases-in-range');
    expect(r.json.error.explanation).toContain('1.0.0-beta.1');
  });

  it('refuses a malformed or repeated requirement as a usage error (exit 2)', async () => {
    await publishGraph();
    expect((await pakt(['resolve', 'Not A Name'])).code).toBe(2);
    const twice = await pakt(['resolve', 'c@^1.0.0', 'c@^2.0.0']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('c is required twice');
  });
});

describe('pakt tree', () => {
  it('nests {"name","version","dependencies"} with --json, marking a repeated subtree', async () => {
    await publishGraph();
    const r = await pakt(['tree', 'app@^1.0.0', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({
      name: 'app',
      version: '1.0.0',
      dependencies: [
        { name: 'a', version: '1.0.0', dependencies: [{ name: 'c', version: '2.0.0', dependencies: [{ name: 'app', version: '1.0.0', dependencies: [], repeated: true }] }] },
        { name: 'b', version: '1.0.0', dependencies: [{ name: 'c', version: '2.0.0', dependencies: [], repeated: true }] },
      ],
    });
  });

  it('draws the tree for a person', async () => {
    await publishGraph();
    const r = await pakt(['tree', 'app']);
    expect(r.stdout).toBe(
      [
        'app@1.0.0',
        '├── a@1.0.0',
        '│   └── c@2.0.0',
        '│       └── app@1.0.0 (already shown above)',
        '└── b@1.0.0',
        '    └── c@2.0.0 (already shown above)',
        '',
      ].join('\n'),
    );
  });
});
