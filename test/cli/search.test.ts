import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageMetadata } from '../../src/contracts/index.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { cliRunner } from './helpers.js';

describe('pakt search', () => {
  let t: TempStore;

  beforeAll(async () => {
    t = tempStore();
    const registry = await t.open();
    try {
      const packages: [string, string, Partial<PackageMetadata>][] = [
        ['left-pad', '1.0.0', { tags: ['string'], author: 'Azer' }],
        ['left-pad', '1.3.0', { tags: ['string'], author: 'Azer', description: 'String left pad' }],
        ['left-pad-plus', '0.1.0', { tags: ['string', 'extra'] }],
        ['yaml-parser', '2.0.0', { description: 'A YAML parser', capabilities: ['parse'] }],
      ];
      for (const [name, version, extra] of packages) {
        const pkg = await t.pkg(name, version, extra);
        await registry.publishPackage(pkg.file);
      }
    } finally {
      await registry.close();
    }
  });
  afterAll(() => t.cleanup());

  const pakt = cliRunner({ cwd: () => process.cwd(), store: () => t.store });
  const run = async (...args: string[]) => {
    const r = await pakt(['search', ...args]);
    return { code: r.code, out: r.stdout, err: r.stderr };
  };

  it('prints total and items with the exact match first and flagged (--json)', async () => {
    const r = await run('left-pad', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { total: number; items: { name: string; version: string; description: string; score: number; exact: boolean }[] };
    expect(doc.total).toBeGreaterThanOrEqual(2);
    expect(doc.items[0]).toEqual({ name: 'left-pad', version: '1.3.0', description: 'String left pad', score: expect.any(Number), exact: true });
    expect(doc.items.find((i) => i.name === 'left-pad-plus')?.exact).toBe(false);
  });

  it('shows name, version, score and description in text, marking the exact name', async () => {
    const r = await run('left-pad');
    expect(r.code).toBe(0);
    const first = r.out.split('\n')[0]!;
    expect(first).toMatch(/^left-pad \*\s+1\.3\.0\s+\d+\.\d{2}\s+String left pad$/);
    expect(r.out).toContain('* exact name');
  });

  it('forgives a typo', async () => {
    const r = await run('yaml-parsre', '--json');
    expect((JSON.parse(r.out) as { items: { name: string }[] }).items[0]?.name).toBe('yaml-parser');
  });

  it('applies filters and pagination', async () => {
    const tagged = JSON.parse((await run('pad', '--tag', 'EXTRA', '--json')).out) as { total: number; items: { name: string }[] };
    expect(tagged.items.map((i) => i.name)).toEqual(['left-pad-plus']);
    const byCap = JSON.parse((await run('yaml', '--capability', 'parse', '--json')).out) as { items: { name: string }[] };
    expect(byCap.items.map((i) => i.name)).toEqual(['yaml-parser']);
    const page1 = JSON.parse((await run('left-pad', '--limit', '1', '--json')).out) as { total: number; items: { name: string }[] };
    const page2 = JSON.parse((await run('left-pad', '--limit', '1', '--offset', '1', '--json')).out) as { total: number; items: { name: string }[] };
    expect(page1.items).toHaveLength(1);
    expect(page2.total).toBe(page1.total);
    expect(page2.items[0]?.name).not.toBe(page1.items[0]?.name);
  });

  it('says so when nothing matches', async () => {
    const r = await run('zzzzqqqqxxxx');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('no packages found');
  });

  it('refuses a limit that is not a whole number (E_SEARCH_OPTION_INVALID, exit 2)', async () => {
    const r = await run('pad', '--limit=-3');
    expect(r.code).toBe(2);
    expect(r.err).toContain('error[E_SEARCH_OPTION_INVALID]');
    expect((await run('pad', '--offset', 'ten')).code).toBe(2);
  });
});
