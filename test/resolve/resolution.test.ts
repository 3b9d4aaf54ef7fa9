/**
 * src/core/resolution.ts: the registry side of resolution, over the in-memory metadata provider
 * (dependencies come from each version's metadata.json).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';
import { getDependencyTree, metadataSource, resolveDependencies, resolveDependency } from '../../src/core/resolution.js';
import { sampleRecord } from '../conformance/metadata.suite.js';
import { expectCode } from '../helpers/expect-code.js';

function deps() {
  const records = [
    sampleRecord('app', '1.0.0', undefined, { dependencies: { lib: '^1.0.0' } }),
    sampleRecord('app', '2.0.0', undefined, { dependencies: { lib: '^2.0.0' } }),
    sampleRecord('lib', '1.0.0'),
    sampleRecord('lib', '1.5.0'),
    sampleRecord('lib', '2.0.0-beta.1'),
    sampleRecord('plain', '1.0.0'),
  ];
  return { metadata: createMemoryMetadata({ initial: records }), versioning: createSemverVersioning() };
}

describe('registry resolution', () => {
  it('reads versions and metadata.json dependencies from the metadata provider', async () => {
    const rows = await metadataSource(deps().metadata).versions('app');
    expect([...rows].sort((a, b) => a.version.localeCompare(b.version))).toEqual([
      { version: '1.0.0', dependencies: { lib: '^1.0.0' } },
      { version: '2.0.0', dependencies: { lib: '^2.0.0' } },
    ]);
    expect(await metadataSource(deps().metadata).versions('plain')).toEqual([{ version: '1.0.0', dependencies: {} }]);
  });

  it('resolveDependency and resolveDependencies; "*" asks for any release, highest first', async () => {
    const d = deps();
    // app 2.0.0 needs lib ^2.0.0, of which only a prerelease exists, so app 1.0.0 is chosen.
    expect(await resolveDependency(d, 'app', '*')).toEqual({ solution: { app: '1.0.0', lib: '1.5.0' } });
    expect(await resolveDependencies(d, { app: '^1.0.0', plain: '*' })).toEqual({ solution: { app: '1.0.0', lib: '1.5.0', plain: '1.0.0' } });
    const err = await expectCode(() => resolveDependency(d, 'app', '^2.0.0'), 'E_UNSATISFIABLE');
    expect(err.details['kind']).toBe('only-prereleases-in-range');
  });

  it('"latest" (and no range) is the version info shows: the highest release, else the highest prerelease', async () => {
    const d = deps();
    // app's latest is 2.0.0, whose dependency cannot be met: said so, not silently replaced by 1.0.0.
    const err = await expectCode(() => resolveDependency(d, 'app'), 'E_UNSATISFIABLE');
    expect(err.details['kind']).toBe('only-prereleases-in-range');
    expect(err.message).toContain('app latest');
    expect(err.message).toContain('2.0.0');
    await expectCode(() => resolveDependency(d, 'app', 'latest'), 'E_UNSATISFIABLE');
    expect(await resolveDependencies(d, { plain: 'latest' })).toEqual({ solution: { plain: '1.0.0' } });
    // A package with prereleases only: latest is its highest prerelease, as for info and download.
    const betas = { metadata: createMemoryMetadata({ initial: [sampleRecord('beta-only', '1.0.0-beta.1'), sampleRecord('beta-only', '1.0.0-beta.2')] }), versioning: createSemverVersioning() };
    expect(await resolveDependency(betas, 'beta-only')).toEqual({ solution: { 'beta-only': '1.0.0-beta.2' } });
    expect(await getDependencyTree(betas, 'beta-only')).toMatchObject({ name: 'beta-only', version: '1.0.0-beta.2' });
    // A package that does not exist is still reported as such.
    expect((await expectCode(() => resolveDependency(d, 'nope'), 'E_UNSATISFIABLE')).details['kind']).toBe('package-not-found');
  });

  it('getDependencyTree', async () => {
    expect(await getDependencyTree(deps(), 'app', '^1.0.0')).toEqual({
      name: 'app',
      version: '1.0.0',
      dependencies: [{ name: 'lib', version: '1.5.0', dependencies: [] }],
    });
  });
});
