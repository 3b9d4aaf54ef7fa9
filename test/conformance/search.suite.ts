/**
 * The search provider conformance suite: every SearchProvider (ours and a third party's) must pass
 * it. Call it from a test file:
 *
 *   describeSearchConformance({ name: 'fuse', create: (options) => createFuseSearch(options) });
 *
 * It checks behaviour only (no timing): upsert/replace, remove, rebuild, downloads, filters,
 * pagination with a stable total, the exact flag, positive scores, length-capped queries and the
 * empty query. `create` receives limit overrides (`{ limits: { maxQueryChars: 8 } }`) and must
 * honour maxQueryChars, so the suite can check the query cap with a small limit. The typo case
 * needs `capabilities.typoTolerant`; without it the case is reported unsupported.
 */
import { describe, expect } from 'vitest';
import type { SearchDocument, SearchProvider } from '../../src/contracts/search.js';
import type { Limits } from '../../src/limits.js';
import { expectCode } from './expect-code.js';
import { conformanceCases } from './harness.js';

export interface SearchConformanceOptions {
  /** Shown in the suite title. */
  name: string;
  /** A fresh, empty provider; with `options.limits`, one that applies those limits (maxQueryChars). */
  create: (options?: { limits?: Partial<Limits> }) => SearchProvider | Promise<SearchProvider>;
  /** Titles of cases to skip (known gaps, listed openly). */
  skip?: readonly string[];
}

const DOCS: SearchDocument[] = [
  { name: 'left-pad', version: '1.3.0', description: 'String left pad', author: 'Azer', tags: ['string', 'Util'], capabilities: [], downloads: 900 },
  { name: 'left-pad-plus', version: '0.1.0', description: 'Left pad, with more options', author: 'someone', tags: ['string'], downloads: 10 },
  { name: 'right-pad', version: '2.0.0', description: 'String right pad', author: 'azer', tags: ['string'], downloads: 500 },
  { name: 'yaml-parser', version: '3.1.4', description: 'A fast YAML parser', author: 'Ada', tags: ['yaml', 'parser'], capabilities: ['parse'], downloads: 5000 },
  { name: 'toml-parser', version: '0.4.0', description: 'TOML parser for configuration files', author: 'Ada', tags: ['toml', 'parser'], capabilities: ['parse'], downloads: 300 },
  { name: '@acme/agent-tools', version: '1.0.0', description: 'Tools for agents', author: 'Acme', tags: ['agent'], capabilities: ['Browse', 'parse'], downloads: 70 },
];

async function seeded(create: SearchConformanceOptions['create'], docs: SearchDocument[] = DOCS): Promise<SearchProvider> {
  const provider = await create();
  await provider.rebuild(docs);
  return provider;
}

const names = (r: { items: { name: string }[] }) => r.items.map((i) => i.name);

/**
 * Declares the cases. Returns a promise (it probes the provider's capabilities first): `await` it
 * at the top level of a test file.
 */
export async function describeSearchConformance({ name, create, skip }: SearchConformanceOptions): Promise<void> {
  const probe = await create();
  const typoTolerant = probe.capabilities?.typoTolerant === true;
  await probe.close?.();
  const { test, needs } = conformanceCases(skip);
  const it = test;
  describe(`search provider conformance: ${name}`, () => {
    it('declares itself a search provider with capabilities', async () => {
      const p = await create();
      expect(p.info.family).toBe('search');
      expect(typeof p.capabilities.typoTolerant).toBe('boolean');
      expect(typeof p.capabilities.persistent).toBe('boolean');
    });

    it('rebuild replaces the whole index and size counts packages', async () => {
      const p = await seeded(create);
      expect(await p.size()).toBe(DOCS.length);
      await p.rebuild([{ name: 'only-one', version: '1.0.0' }]);
      expect(await p.size()).toBe(1);
      expect((await p.search('left-pad')).items.map((i) => i.name)).not.toContain('left-pad');
    });

    it('rebuild accepts an async iterable', async () => {
      const p = await create();
      async function* gen() {
        for (const d of DOCS) yield d;
      }
      await p.rebuild(gen());
      expect(await p.size()).toBe(DOCS.length);
    });

    it('upsert adds a package and replaces it in place by name (one document per package)', async () => {
      const p = await seeded(create);
      await p.upsert({ name: 'brand-new', version: '1.0.0', description: 'first' });
      expect(await p.size()).toBe(DOCS.length + 1);
      await p.upsert({ name: 'brand-new', version: '2.0.0', description: 'second release' });
      expect(await p.size()).toBe(DOCS.length + 1);
      const r = await p.search('brand-new');
      expect(r.items[0]).toMatchObject({ name: 'brand-new', version: '2.0.0', description: 'second release', exact: true });
      expect(r.items.filter((i) => i.name === 'brand-new')).toHaveLength(1);
    });

    it('upsert keeps no reference to the caller\'s document', async () => {
      const p = await create();
      const doc: SearchDocument = { name: 'mutable', version: '1.0.0', description: 'before' };
      await p.upsert(doc);
      doc.description = 'after';
      expect((await p.search('mutable')).items[0]?.description).toBe('before');
    });

    it('remove takes a package out, and removing an unknown name is a no-op', async () => {
      const p = await seeded(create);
      await p.remove('left-pad');
      expect(await p.size()).toBe(DOCS.length - 1);
      expect(names(await p.search('left-pad'))).not.toContain('left-pad');
      await p.remove('never-was');
      expect(await p.size()).toBe(DOCS.length - 1);
    });

    it('refuses a document without a name or version', async () => {
      const p = await create();
      await expectCode(() => p.upsert({ name: '', version: '1.0.0' }), 'E_SEARCH_DOCUMENT_INVALID');
      await expectCode(() => p.upsert({ name: 'x', version: '' }), 'E_SEARCH_DOCUMENT_INVALID');
      await expectCode(() => p.upsert({ name: 'x', version: '1.0.0', tags: 'nope' as unknown as string[] }), 'E_SEARCH_DOCUMENT_INVALID');
      expect(await p.size()).toBe(0);
    });

    it('puts the exact name first and flags only it', async () => {
      const p = await seeded(create);
      const r = await p.search('left-pad');
      expect(r.items[0]).toMatchObject({ name: 'left-pad', version: '1.3.0', exact: true });
      expect(r.items.slice(1).every((i) => !i.exact)).toBe(true);
      expect(r.items.map((i) => i.name)).toContain('left-pad-plus');
    });

    it('matches the exact name case-insensitively and ignores surrounding spaces', async () => {
      const p = await seeded(create);
      const r = await p.search('  LEFT-PAD ');
      expect(r.items[0]).toMatchObject({ name: 'left-pad', exact: true });
    });

    it('returns hits with name, version, description, score and exact, best score first', async () => {
      const p = await seeded(create);
      const r = await p.search('parser');
      expect(r.total).toBeGreaterThanOrEqual(2);
      for (const hit of r.items) {
        expect(Object.keys(hit).sort()).toEqual(['description', 'exact', 'name', 'score', 'version']);
        expect(typeof hit.score).toBe('number');
      }
      const scores = r.items.map((i) => i.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });

    needs('typoTolerant', typoTolerant, 'finds a name with a typo', async () => {
      const p = await seeded(create);
      expect(names(await p.search('yaml-parsre')).slice(0, 3)).toContain('yaml-parser');
    });

    it('filters by tag, author and capability: exact and case-insensitive', async () => {
      const p = await seeded(create);
      expect(names(await p.search('pad', { tag: 'UTIL' }))).toEqual(['left-pad']);
      expect(names(await p.search('pad', { author: 'AZER' })).sort()).toEqual(['left-pad', 'right-pad']);
      expect(names(await p.search('', { capability: 'PARSE' })).sort()).toEqual(['@acme/agent-tools', 'toml-parser', 'yaml-parser']);
      expect(names(await p.search('yaml', { capability: 'parse' }))).toEqual(['yaml-parser']);
      expect(names(await p.search('', { capability: 'browse' }))).toEqual(['@acme/agent-tools']);
      // exact, not substring: 'ut' is not the tag 'util'
      expect((await p.search('pad', { tag: 'ut' })).total).toBe(0);
      // filters combine (AND)
      expect(names(await p.search('parser', { author: 'ada', tag: 'toml' }))).toEqual(['toml-parser']);
    });

    it('hides the exact match when it fails a filter', async () => {
      const p = await seeded(create);
      const r = await p.search('left-pad', { author: 'someone' });
      expect(r.items.every((i) => i.name !== 'left-pad')).toBe(true);
      expect(r.items.every((i) => !i.exact)).toBe(true);
    });

    it('lists every package for an empty query, most downloaded first, filters applied', async () => {
      const p = await seeded(create);
      const all = await p.search('');
      expect(all.total).toBe(DOCS.length);
      expect(names(all)).toEqual([...DOCS].sort((a, b) => (b.downloads ?? 0) - (a.downloads ?? 0)).map((d) => d.name));
      expect(all.items.every((i) => !i.exact)).toBe(true);
      expect((await p.search('   ', { tag: 'string' })).total).toBe(3);
    });

    it('paginates with limit and offset over a stable total', async () => {
      const docs: SearchDocument[] = [];
      for (let i = 0; i < 45; i++) docs.push({ name: `widget-${String(i).padStart(2, '0')}`, version: '1.0.0', description: 'a widget', downloads: i % 5 });
      const p = await seeded(create, docs);
      const first = await p.search('widget', { limit: 10 });
      expect(first.items).toHaveLength(10);
      const seen: string[] = [];
      for (let offset = 0; offset < first.total; offset += 10) {
        const page = await p.search('widget', { limit: 10, offset });
        expect(page.total).toBe(first.total);
        seen.push(...names(page));
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(first.total);
      expect(first.total).toBeGreaterThanOrEqual(45);
      expect((await p.search('widget', { limit: 10, offset: first.total })).items).toEqual([]);
      expect((await p.search('widget', { limit: 0 })).items).toEqual([]);
      // the same query twice gives the same order
      expect(names(await p.search('widget', { limit: 45 }))).toEqual(names(await p.search('widget', { limit: 45 })));
    });

    it('defaults to 20 items per page', async () => {
      const docs: SearchDocument[] = [];
      for (let i = 0; i < 30; i++) docs.push({ name: `gadget-${i}`, version: '1.0.0' });
      const p = await seeded(create, docs);
      expect((await p.search('')).items).toHaveLength(20);
    });

    it('refuses a negative or fractional limit or offset', async () => {
      const p = await seeded(create);
      await expectCode(() => p.search('pad', { limit: -1 }), 'E_SEARCH_OPTION_INVALID');
      await expectCode(() => p.search('pad', { offset: 1.5 }), 'E_SEARCH_OPTION_INVALID');
      await expectCode(() => p.search('pad', { tag: 3 as unknown as string }), 'E_SEARCH_OPTION_INVALID');
    });

    it('cuts a long query to limits.maxQueryChars instead of refusing it', async () => {
      const p = await create({ limits: { maxQueryChars: 8 } });
      await p.rebuild(DOCS);
      // 'left-pad' is 8 characters: whatever follows is cut off, so this is an exact match.
      const r = await p.search(`left-pad${'x'.repeat(5000)}`);
      expect(r.items[0]).toMatchObject({ name: 'left-pad', exact: true });
    });

    it('answers a pathological query (very long, repeated, symbols) with a well-formed result', async () => {
      const p = await seeded(create);
      for (const q of ['a'.repeat(100_000), '-'.repeat(300), '@/@/@/', 'x y z '.repeat(500), '\u0000\uffff', '(((.*)))+']) {
        const r = await p.search(q);
        expect(Number.isInteger(r.total), q.slice(0, 20)).toBe(true);
        expect(r.items.length, q.slice(0, 20)).toBeLessThanOrEqual(Math.min(20, r.total));
        for (const hit of r.items) expect(DOCS.map((d) => d.name), q.slice(0, 20)).toContain(hit.name);
      }
      // None of these is a package name or a word of one: nothing may come back as exact.
      expect((await p.search('(((.*)))+')).items.some((i) => i.exact)).toBe(false);
    });

    it('scores every hit above 0, higher for a better match (also an empty query\'s listing)', async () => {
      const p = await seeded(create);
      for (const q of ['left-pad', 'parser', 'left', 'configuration files', '']) {
        const r = await p.search(q);
        expect(r.items.length, q).toBeGreaterThan(0);
        for (const hit of r.items) expect(hit.score, `${q}: ${hit.name}`).toBeGreaterThan(0);
      }
    });

    it('setDownloads changes popularity and ignores unknown names', async () => {
      const p = await seeded(create, [
        { name: 'alpha-lib', version: '1.0.0', downloads: 1 },
        { name: 'alpha-kit', version: '1.0.0', downloads: 2 },
      ]);
      expect(names(await p.search(''))).toEqual(['alpha-kit', 'alpha-lib']);
      await p.setDownloads(new Map([['alpha-lib', 100], ['not-indexed', 5]]));
      expect(names(await p.search(''))).toEqual(['alpha-lib', 'alpha-kit']);
      expect(await p.size()).toBe(2);
    });

    it('finds words from the description', async () => {
      const p = await seeded(create);
      expect(names(await p.search('configuration files'))[0]).toBe('toml-parser');
    });

    it('finds scoped names', async () => {
      const p = await seeded(create);
      expect(names(await p.search('@acme/agent-tool'))[0]).toBe('@acme/agent-tools');
    });
  });
}
