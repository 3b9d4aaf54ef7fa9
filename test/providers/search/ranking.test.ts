/**
 * Ranking behaviours on small hand-made corpora, for every provider where the behaviour is part of
 * the contract (exact first, popularity among equals) and for the indexed provider's finer ones
 * (typos of one and two edits, prefixes, scoped names, words, incremental updates).
 */
import { describe, expect, it } from 'vitest';
import type { SearchDocument, SearchProvider } from '../../../src/contracts/search.js';
import { createFuseSearch } from '../../../providers/search/fuse.js';
import { createIndexedSearch, editBudget } from '../../../providers/search/indexed.js';

const CORPUS: SearchDocument[] = [
  { name: 'react', version: '18.3.1', description: 'React is a JavaScript library for building user interfaces.', downloads: 90_000_000 },
  { name: 'react-dom', version: '18.3.1', description: 'React package for working with the DOM.', downloads: 80_000_000 },
  { name: 'react-is', version: '18.3.1', description: 'Brand checking of React Elements.', downloads: 85_000_000 },
  { name: 'reactive-thing', version: '0.0.1', description: 'An obscure reactive helper', downloads: 600 },
  { name: 'reacts', version: '1.0.0', description: 'Not the one you want', downloads: 700 },
  { name: 'express', version: '4.19.2', description: 'Fast, unopinionated, minimalist web framework', downloads: 30_000_000 },
  { name: 'expresso', version: '0.9.2', description: 'TDD framework', downloads: 900 },
  { name: 'loglevelnext', version: '6.0.0', description: 'A modern logging library for Node.js', downloads: 2_000_000 },
  { name: '@types/node', version: '22.0.0', description: 'TypeScript definitions for node', downloads: 100_000_000 },
  { name: '@types/nodemailer', version: '6.4.0', description: 'TypeScript definitions for nodemailer', downloads: 2_000_000 },
  { name: '@types/react', version: '18.3.0', description: 'TypeScript definitions for react', downloads: 60_000_000 },
  { name: 'yaml', version: '2.5.0', description: 'JavaScript parser and stringifier for YAML', downloads: 50_000_000 },
  { name: 'js-yaml', version: '4.1.0', description: 'YAML 1.2 parser and serializer', downloads: 70_000_000 },
  { name: 'yaml-lint', version: '1.7.0', description: 'A simple YAML lint tool', downloads: 100_000 },
  { name: 'twin-a', version: '1.0.0', description: 'same everything', downloads: 10 },
  { name: 'twin-b', version: '1.0.0', description: 'same everything', downloads: 500 },
];

async function indexed(docs = CORPUS): Promise<SearchProvider> {
  const p = createIndexedSearch();
  await p.rebuild(docs);
  return p;
}

const first = async (p: SearchProvider, q: string) => (await p.search(q)).items[0]?.name;
const top = async (p: SearchProvider, q: string, n = 5) => (await p.search(q, { limit: n })).items.map((i) => i.name);

for (const [name, create] of [
  ['fuse', () => createFuseSearch()],
  ['indexed', () => createIndexedSearch()],
] as const) {
  describe(`ranking (${name}): contract behaviours`, () => {
    it('puts the exact name first even when others are far more popular', async () => {
      const p = create();
      await p.rebuild(CORPUS);
      const r = await p.search('reacts');
      expect(r.items[0]).toMatchObject({ name: 'reacts', exact: true });
    });

    it('lets popularity break a tie between equally good matches', async () => {
      const p = create();
      await p.rebuild(CORPUS);
      const r = await p.search('same everything');
      const order = r.items.map((i) => i.name).filter((n) => n.startsWith('twin-'));
      expect(order).toEqual(['twin-b', 'twin-a']);
      await p.setDownloads(new Map([['twin-a', 1000]]));
      const again = (await p.search('same everything')).items.map((i) => i.name).filter((n) => n.startsWith('twin-'));
      expect(again).toEqual(['twin-a', 'twin-b']);
    });
  });
}

describe('ranking (indexed): names', () => {
  it('forgives one typo: dropped, added, mistyped and swapped characters', async () => {
    const p = await indexed();
    for (const q of ['expres', 'expresss', 'exprwss', 'exrpess']) expect(await first(p, q), q).toBe('express');
  });

  it('forgives two typos in a longer name', async () => {
    const p = await indexed();
    expect(await first(p, 'llevelnext')).toBe('loglevelnext');
    expect(await first(p, 'logelvelnxt')).toBe('loglevelnext');
  });

  it('prefers the popular name one edit away over an obscure one one edit away', async () => {
    const p = await indexed();
    // 'reatc' is one swap from react and one edit from neither obscure package
    expect(await first(p, 'reatc')).toBe('react');
    // 'expresso' (obscure) and 'express' are both one edit from 'expresse'; popularity decides
    expect(await first(p, 'expresse')).toBe('express');
  });

  it('completes a prefix with its most downloaded name', async () => {
    const p = await indexed();
    expect(await first(p, 'expr')).toBe('express');
    expect(await first(p, 'loglev')).toBe('loglevelnext');
    expect((await top(p, 'react-')).slice(0, 2)).toEqual(['react-is', 'react-dom']);
  });

  it('prefers a prefix reading of a short query over a popular name one edit away', async () => {
    const p = await indexed([
      { name: 'json5', version: '2.2.3', downloads: 500_000_000 },
      { name: 'json11', version: '1.1.2', downloads: 3_000_000 },
    ]);
    expect(await first(p, 'json1')).toBe('json11');
  });

  it('ranks a name the query has typed past below the names the query starts', async () => {
    const p = await indexed([
      { name: 'debug', version: '4.3.7', downloads: 2_100_000_000 },
      { name: 'debuglog', version: '1.0.1', downloads: 13_600_000 },
      { name: 'glob', version: '10.4.5', downloads: 1_000_000_000 },
      { name: 'glob2base', version: '0.0.12', downloads: 3_000_000 },
    ]);
    // One edit from debug (152× the downloads), but also the start of debuglog: the user typed past debug.
    expect(await first(p, 'debugl')).toBe('debuglog');
    expect(await first(p, 'glob2')).toBe('glob2base');
    // Not typed past: the query starts no name, so the one-edit neighbour stands.
    expect(await first(p, 'debugx')).toBe('debug');
    expect(await first(p, 'debu')).toBe('debug');
  });

  it('completes and corrects scoped names', async () => {
    const p = await indexed();
    expect(await first(p, '@types/nod')).toBe('@types/node');
    expect(await first(p, '@types/nodemai')).toBe('@types/nodemailer');
    expect(await first(p, '@types/raect')).toBe('@types/react');
  });

  it('forgives fewer edits in short queries', () => {
    expect([1, 2, 3, 4, 5, 9].map(editBudget)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe('ranking (indexed): words', () => {
  it('finds packages by words of their description, the most downloaded first', async () => {
    const p = await indexed();
    expect(await first(p, 'yaml parser')).toBe('js-yaml');
    expect(await top(p, 'typescript definitions', 3)).toEqual(['@types/node', '@types/react', '@types/nodemailer']);
  });

  it('falls back to the documents holding most of the words when none holds all', async () => {
    const p = await indexed();
    expect(await first(p, 'minimalist framework zebra')).toBe('express');
  });

  it('matches a word by its start when no document holds it whole', async () => {
    const p = await indexed([
      { name: 'ciphers', version: '1.0.0', description: 'Audited implementation of Salsa20 and ChaCha', downloads: 1000 },
      { name: 'dance', version: '1.0.0', description: 'Salsa dance steps', downloads: 5 },
    ]);
    expect(await first(p, 'salsa audited')).toBe('ciphers');
  });

  it('reads a name that matches nothing as words', async () => {
    const p = await indexed();
    // no name is within two edits; yaml-lint's description holds three of its four words
    const r = await p.search('simple-yaml-lnit-tool');
    expect(r.items[0]?.name).toBe('yaml-lint');
  });

  it('fills a short page of name matches with packages holding the name\'s words, below them', async () => {
    const p = await indexed([
      { name: 'invert-kv', version: '4.0.0', description: 'Invert the key/value of an object', downloads: 20_000_000 },
      { name: 'kv-asset-handler', version: '0.3.0', description: 'Serve assets from a kv store', downloads: 25_000_000 },
      { name: 'lodash.invert', version: '4.3.0', description: 'The lodash method invert', downloads: 400_000 },
      { name: 'unrelated', version: '1.0.0', description: 'Nothing in common', downloads: 90_000_000 },
    ]);
    const r = await p.search('invert-kv');
    expect(r.items[0]).toMatchObject({ name: 'invert-kv', exact: true });
    expect(r.items.slice(1).map((i) => i.name).sort()).toEqual(['kv-asset-handler', 'lodash.invert']);
    expect(r.total).toBe(3);
    expect(r.items[1]!.score).toBeLessThan(r.items[0]!.score);
  });

  it('ranks a one-word query by names first, then by description words', async () => {
    const p = await indexed();
    const r = await top(p, 'yaml', 10);
    expect(r[0]).toBe('yaml');
    expect(r.indexOf('yaml-lint')).toBeLessThan(r.indexOf('js-yaml'));
    expect(r).toContain('js-yaml');
  });
});

describe('indexed: incremental updates', () => {
  it('reflects upsert and remove at once, with no rebuild', async () => {
    const p = await indexed();
    await p.upsert({ name: 'expressive', version: '1.0.0', description: 'new', downloads: 500_000_000 });
    expect(await first(p, 'expr')).toBe('expressive');
    await p.remove('expressive');
    expect(await first(p, 'expr')).toBe('express');
    await p.upsert({ name: 'react', version: '19.0.0', description: 'React 19', downloads: 90_000_000 });
    const r = await p.search('react');
    expect(r.items[0]).toMatchObject({ name: 'react', version: '19.0.0', exact: true });
    // its old description's words are gone ('interfaces' was only there)
    expect((await p.search('user interfaces')).items.map((i) => i.name)).not.toContain('react');
    expect(await p.size()).toBe(CORPUS.length);
  });

  it('counts every prefix match in total, also the ones not on the page', async () => {
    const docs: SearchDocument[] = Array.from({ length: 60 }, (_, i) => ({ name: `pkg-${i}`, version: '1.0.0', downloads: i }));
    const p = await indexed(docs);
    const r = await p.search('pkg-', { limit: 5 });
    expect(r.total).toBe(60);
    expect(r.items.map((i) => i.name)).toEqual(['pkg-59', 'pkg-58', 'pkg-57', 'pkg-56', 'pkg-55']);
    const filtered = await p.search('pkg-', { limit: 5, tag: 'none' });
    expect(filtered.total).toBe(0);
  });
});
