/**
 * A host's own version scheme, end to end: a calendar-versioning provider (test/helpers/calver.ts)
 * in place of SemVer. Publish, validate, look up, list and resolve must all go through it; none of
 * these versions or ranges is SemVer, so any SemVer check left on the way refuses them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

  it('installs into a folder, checking the metadata.json of every archive by the calendar scheme as publish did', async () => {
    for (const v of ['2024.05', '2024.11']) await registry.publishPackage((await t.pkg('clock', v)).file);
    await registry.publishPackage((await t.pkg('app', '2025.02', { dependencies: { clock: '2024.*' } })).file);
    const into = path.join(t.dir, 'plugins');
    const r = await registry.install({ into, requirements: { app: '2025.*' }, fsync: false });
    expect(r.added.map((a) => `${a.name}@${a.version}`)).toEqual(['app@2025.02', 'clock@2024.11']);
    const list = await registry.listInstalled({ into, verify: true });
    expect(list).toMatchObject({ ok: true, requirements: { app: '2025.*' } });
    // A name alone is recorded as the scheme's compatible range: no caret here, so >=<version>.
    const clockOnly = path.join(t.dir, 'clock-only');
    await registry.install({ into: clockOnly, requirements: ['clock'], fsync: false });
    expect((await registry.listInstalled(clockOnly)).requirements).toEqual({ clock: '>=2024.11' });
    await registry.publishPackage((await t.pkg('clock', '2025.01')).file);
    const up = await registry.upgradeInstalled({ into: clockOnly, all: true, fsync: false });
    expect(up.changed).toEqual([expect.objectContaining({ name: 'clock', from: '2024.11', to: '2025.01' })]);
    // A lockfile holding a version the scheme cannot read is refused with the scheme's words.
    writeFileSync(path.join(clockOnly, 'pakt-lock.json'), readFileSync(path.join(clockOnly, 'pakt-lock.json'), 'utf8').replace('"2025.01"', '"1.0.0"'));
    const err = await expectCode(() => registry.listInstalled(clockOnly), 'E_LOCK_INVALID');
    expect(err.message).toContain('version "1.0.0" is not a calendar version');
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
