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
});
