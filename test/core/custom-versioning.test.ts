/**
 * A host's own version scheme, end to end: a calendar-versioning provider (test/helpers/calver.ts)
 * in place of SemVer. Publish, validate, look up, list and resolve must all go through it; none of
 * these versions or ranges is SemVer, so any SemVer check left on the way refuses them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreRegistryManager, defaultProviders } from '../../src/index.js';
import { describeVersioningConformance } from '../conformance/versioning.suite.js';
import { CALVER_SAMPLES, createCalverVersioning } from '../helpers/calver.js';
import { expectCode } from '../helpers/expect-code.js';
import { tempStore, type TempStore } from './helpers.js';

describeVersioningConformance({ name: 'calver (test helper)', create: createCalverVersioning, samples: CALVER_SAMPLES });

describe('a registry on calendar versions', () => {
  let t: TempStore;
  let registry: CoreRegistryManager;
  beforeEach(() => {
    t = tempStore();
    registry = new CoreRegistryManager({ ...defaultProviders({ path: t.store, fsync: false }), versioning: createCalverVersioning() });
  });
  afterEach(async () => {
    await registry.close();
    t.cleanup();
  });

  it('publishes, orders, looks up and resolves calendar versions with calendar ranges', async () => {
    for (const v of ['2024.05', '2024.05.1', '2024.11']) await registry.publishPackage((await t.pkg('clock', v)).file);
    await registry.publishPackage((await t.pkg('app', '2025.01', { dependencies: { clock: '>=2024.05.1 <2024.12' } })).file);
    await registry.publishPackage((await t.pkg('app', '2025.02', { dependencies: { clock: '2024.05.*' } })).file);

    const list = await registry.listVersions('clock');
    expect(list.versions.map((r) => r.version)).toEqual(['2024.11', '2024.05.1', '2024.05']);
    expect(list.latest).toBe('2024.11');
    expect((await registry.getPackageInfo('clock')).version).toBe('2024.11');
    expect((await registry.getPackageInfo('clock', '2024.05.*')).version).toBe('2024.05.1');
    expect((await registry.getPackageInfo('clock', '2024.05')).version).toBe('2024.05');

    expect((await registry.resolveDependency('app', '=2025.01')).solution).toEqual({ app: '2025.01', clock: '2024.11' });
    expect((await registry.resolveDependency('app')).solution).toEqual({ app: '2025.02', clock: '2024.05.1' });
    const tree = await registry.getDependencyTree('app', '2025.*');
    expect(tree).toMatchObject({ name: 'app', version: '2025.02', dependencies: [{ name: 'clock', version: '2024.05.1' }] });
  });

  it('validates as publish judges: a calendar version is valid, a SemVer one is not', async () => {
    expect(await registry.validatePackage((await t.pkg('clock', '2024.05.2')).file)).toMatchObject({ valid: true, errors: [] });
    const semver = await registry.validatePackage((await t.pkg('clock', '1.0.0')).file);
    expect(semver.valid).toBe(false);
    expect(semver.errors.map((e) => e.code)).toEqual(['E_PKG_VERSION_INVALID']);
    expect(semver.errors[0]!.message).toContain('a calendar version YYYY.MM or YYYY.MM.N');
  });

  it('refuses a version or range its scheme cannot read, with the codes of the catalogue', async () => {
    const err = await expectCode(async () => registry.publishPackage((await t.pkg('clock', '2024.5')).file), 'E_PKG_VERSION_INVALID');
    expect(err.message).toContain("version '2024.5' is not a calendar version");
    await expectCode(async () => registry.publishPackage((await t.pkg('app', '2025.01', { dependencies: { clock: '^2024.05' } })).file), 'E_PKG_RANGE_INVALID');
    await expectCode(() => registry.getPackageInfo('clock', '^1.0.0'), 'E_PKG_RANGE_INVALID');
    await expectCode(() => registry.listVersions('clock'), 'E_PACKAGE_NOT_FOUND');
    await expectCode(() => registry.listVersions('app'), 'E_PACKAGE_NOT_FOUND');
  });
});
