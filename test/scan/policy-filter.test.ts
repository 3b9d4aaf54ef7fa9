import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDependencyTree, resolveDependencies } from '../../src/core/resolution.js';
import type { UnsatisfiableDetails } from '../../src/resolve/types.js';
import { createOsvScanner } from '../../providers/scanner/osv/index.js';
import { addExemption } from '../../src/scan/exemptions.js';
import { setAdvisoryPolicy } from '../../src/scan/policy.js';
import { policyVersionFilter } from '../../src/scan/policy-filter.js';
import { expectCode } from '../helpers/expect-code.js';
import { realRecords, world, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await world({
    lodash: { '4.17.11': {}, '4.17.19': {}, '4.17.20': {}, '4.17.21': {}, '4.17.22-beta.1': {} },
    minimist: { '1.2.5': {} },
    ws: { '7.5.9': {}, '7.5.10': {}, '8.17.0': {} },
    lib: { '1.0.0': { lodash: '^4.17.0' }, '2.0.0': { lodash: '>=4.17.19 <4.17.21' } },
    cli: { '1.0.0': { minimist: '^1.2.0' } },
    app: { '1.0.0': { lib: '^1.0.0' }, '2.0.0': { lib: '^2.0.0' } },
  });
  await w.importRecords(realRecords(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-jf85-cpcp-j695', 'GHSA-xvch-5gv4-984h', 'GHSA-3h5v-q93c-6h6q']));
});
afterEach(() => w.cleanup());

describe('resolution that knows the policy', () => {
  it('picks the highest allowed version instead of a blocked one', async () => {
    // ws 8.17.0 is the highest, and GHSA-3h5v-q93c-6h6q (high) affects it and 7.5.9; 7.5.10 is fixed.
    expect((await resolveDependencies(w, { ws: '*' })).solution).toEqual({ ws: '8.17.0' });
    expect((await resolveDependencies(w, { lodash: '<4.17.21' })).solution).toEqual({ lodash: '4.17.20' });
    const { withhold } = await policyVersionFilter(w);
    expect(withhold).toBeDefined();
    expect((await resolveDependencies(w, { ws: '*' }, { withhold })).solution).toEqual({ ws: '7.5.10' });
    expect((await resolveDependencies(w, { app: '^1.0.0' }, { withhold })).solution).toEqual({ app: '1.0.0', lib: '1.0.0', lodash: '4.17.21' });
    await setAdvisoryPolicy(w, { block: 'critical' });
    // Only the critical one (jf85, fixed in 4.17.12) blocks now: 4.17.20 is the highest allowed below 4.17.21.
    const critical = await policyVersionFilter(w);
    expect((await resolveDependencies(w, { lodash: '<4.17.21' }, { withhold: critical.withhold })).solution).toEqual({ lodash: '4.17.20' });
    expect((await resolveDependencies(w, { lodash: '<4.17.12' }, { withhold: critical.withhold }).catch((e) => e)).code).toBe('E_UNSATISFIABLE');
  });

  it('explains a range left with nothing allowed by naming the advisories, not as missing versions', async () => {
    const { withhold } = await policyVersionFilter(w);
    const err = await expectCode(() => resolveDependencies(w, { app: '^2.0.0' }, { withhold }), 'E_UNSATISFIABLE');
    const details = err.details as unknown as UnsatisfiableDetails;
    expect(details.kind).toBe('blocked-by-policy');
    expect(err.message).toContain("which doesn't match any version the advisory policy allows (4.17.20 is blocked by GHSA-35jh-r3h4-6jhm (high); 4.17.19 is blocked by GHSA-35jh-r3h4-6jhm (high), GHSA-p6mc-m468-83gw (high))");
    expect(err.message).not.toMatch(/doesn't match any versions[^ ]/);
    expect(err.message).toContain('Left out by the advisory policy: lodash 4.17.20 (GHSA-35jh-r3h4-6jhm (high)), lodash 4.17.19 (GHSA-35jh-r3h4-6jhm (high), GHSA-p6mc-m468-83gw (high)), lodash 4.17.11');
    expect(details.withheld?.['lodash']?.map((v) => v.version)).toEqual(['4.17.20', '4.17.19', '4.17.11']);
    const noVersions = details.derivation.incompatibilities.find((n) => n.cause.type === 'noVersions');
    expect(noVersions?.cause).toMatchObject({ type: 'noVersions', package: 'lodash', range: '>=4.17.19 <4.17.21', withheld: [{ version: '4.17.20' }, { version: '4.17.19' }] });
  });

  it('a package whose every version is blocked reads as blocked, not as a package that does not exist', async () => {
    const { withhold } = await policyVersionFilter(w);
    const err = await expectCode(() => resolveDependencies(w, { cli: '^1.0.0' }, { withhold }), 'E_UNSATISFIABLE');
    expect(err.message).toContain('minimist ^1.2.0 which doesn\'t match any version the advisory policy allows (1.2.5 is blocked by GHSA-xvch-5gv4-984h (critical))');
    expect(err.message).not.toContain('no package named minimist');
    expect((err.details as unknown as UnsatisfiableDetails).kind).toBe('blocked-by-policy');
    const root = await expectCode(() => resolveDependencies(w, { minimist: '*' }, { withhold }), 'E_UNSATISFIABLE');
    expect(root.message).toBe("Because root depends on minimist * which doesn't match any version the advisory policy allows (1.2.5 is blocked by GHSA-xvch-5gv4-984h (critical)), version solving failed.\n\nLeft out by the advisory policy: minimist 1.2.5 (GHSA-xvch-5gv4-984h (critical)).");
  });

  it('an exemption makes a version allowed again; dependency trees follow the same choice', async () => {
    await addExemption(w, { advisory: 'GHSA-xvch-5gv4-984h', packages: 'minimist', reason: 'argv comes from our own scripts', expires: new Date(w.now.value.getTime() + 86_400_000) });
    const { withhold } = await policyVersionFilter(w);
    expect((await resolveDependencies(w, { cli: '^1.0.0' }, { withhold })).solution).toEqual({ cli: '1.0.0', minimist: '1.2.5' });
    const tree = await getDependencyTree(w, 'app', '^1.0.0', { withhold });
    expect(tree).toEqual({ name: 'app', version: '1.0.0', dependencies: [{ name: 'lib', version: '1.0.0', dependencies: [{ name: 'lodash', version: '4.17.21', dependencies: [] }] }] });
  });

  it('withholds nothing while the gate is off; refuses with a stale database; a failing scanner refuses under fail-closed and filters nothing under fail-open', async () => {
    await setAdvisoryPolicy(w, { block: 'none', warn: 'none' });
    expect((await policyVersionFilter(w)).withhold).toBeUndefined();
    await setAdvisoryPolicy(w, { block: 'high', warn: 'low', maxAdvisoryAgeHours: 1 });
    w.now.value = new Date(w.now.value.getTime() + 2 * 3_600_000);
    await expectCode(() => policyVersionFilter(w), 'E_ADVISORIES_STALE');
    await setAdvisoryPolicy(w, { maxAdvisoryAgeHours: null });
    w.scanner.close();
    writeFileSync(path.join(w.dir, 'advisories.db'), 'garbage '.repeat(1000));
    w.scanner = createOsvScanner({ path: path.join(w.dir, 'advisories.db') });
    await expectCode(() => policyVersionFilter(w), 'E_ADVISORIES_UNREADABLE');
    await setAdvisoryPolicy(w, { onScannerFailure: 'fail-open' });
    const open = await policyVersionFilter(w);
    expect(open.withhold).toBeUndefined();
    expect(open.warnings[0]).toMatch(/^advisories not checked \(E_ADVISORIES_UNREADABLE: .*\); versions were not filtered because the policy is fail-open$/);
  });
});
