import { describe, expect, it } from 'vitest';
import { createMemoryMetadata } from '../../../providers/metadata/memory.js';
import { describeMetadataConformance, sampleRecord } from '../../conformance/metadata.suite.js';
import { expectCode } from '../../helpers/expect-code.js';

await describeMetadataConformance({ name: 'memory', create: () => createMemoryMetadata() });

describe('memory metadata: its own cases', () => {
  it('starts from the initial records, through the same insert rules', async () => {
    const p = createMemoryMetadata({ initial: [sampleRecord('a', '1.0.0'), sampleRecord('a', '1.0.0', 'other')] });
    expect(await p.listVersions('a')).toEqual([sampleRecord('a', '1.0.0')]);
  });

  it('refuses use after close with E_CLOSED', async () => {
    const p = createMemoryMetadata();
    p.close?.();
    await expectCode(() => p.getVersion('a', '1.0.0'), 'E_CLOSED');
  });

  it('keeps nothing between instances (persistent is false)', async () => {
    const p = createMemoryMetadata();
    await p.insertVersion(sampleRecord('a', '1.0.0'));
    expect(p.capabilities.persistent).toBe(false);
    expect(await createMemoryMetadata().listPackageNames()).toEqual([]);
  });

  it('returns copies: an own "__proto__" key stays a key, nesting and non-JSON values survive, and nothing returned can change what is stored', async () => {
    const p = createMemoryMetadata();
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"list": [1, {"deep": "x"}]}}') as Record<string, unknown>;
    const when = new Date('2026-01-01T00:00:00.000Z');
    await p.insertVersion(sampleRecord('a', '1.0.0', 'a', { extra: hostile, when }));

    const got = (await p.getVersion('a', '1.0.0'))!;
    const extra = got.metadata['extra'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(extra, '__proto__')).toBe(true);
    expect((extra as { polluted?: unknown }).polluted).toBeUndefined();
    expect(extra['nested']).toEqual({ list: [1, { deep: 'x' }] });
    expect(got.metadata['when']).toEqual(when);

    ((extra['nested'] as { list: unknown[] }).list[1] as { deep: string }).deep = 'changed';
    (got.metadata as Record<string, unknown>)['description'] = 'changed';
    const again = (await p.listVersions('a'))[0]!;
    expect(((again.metadata['extra'] as Record<string, unknown>)['nested'] as { list: unknown[] }).list[1]).toEqual({ deep: 'x' });
    expect(again.metadata.description).toBe('the a package');
  });

  it('its change feed keeps the last `changesKept` changes; a cursor older than those gets an incomplete answer', async () => {
    const p = createMemoryMetadata({ changesKept: 3 });
    const start = await p.changesSince!();
    for (let i = 0; i < 3; i++) await p.insertVersion(sampleRecord(`p${i}`, '1.0.0'));
    expect((await p.changesSince!(start.cursor)).names).toEqual(['p0', 'p1', 'p2']);
    // Trimming keeps the last 3 of every 6: by 10 changes, change 1 is long gone.
    for (let i = 3; i < 10; i++) await p.insertVersion(sampleRecord(`p${i}`, '1.0.0'));
    const lost = await p.changesSince!(start.cursor);
    expect(lost).toEqual({ cursor: '10', names: [], complete: false });
    await p.deleteVersion('p9', '1.0.0');
    expect(await p.changesSince!(lost.cursor)).toEqual({ cursor: '11', names: ['p9'], complete: true });
    expect(await p.changesSince!('9')).toEqual({ cursor: '11', names: ['p9'], complete: true });
    expect(await p.changesSince!('12')).toMatchObject({ complete: false });
  });

  it('refuses a changesKept that is not a positive integer with E_PROVIDER_OPTION', async () => {
    for (const bad of [0, -1, 1.5]) await expectCode(() => createMemoryMetadata({ changesKept: bad }), 'E_PROVIDER_OPTION');
  });
});
