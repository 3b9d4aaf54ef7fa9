import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/contracts/index.js';
import type { RegistryError } from '../../src/errors.js';
import { createOsvScanner } from '../../providers/scanner/osv/index.js';
import { decidePolicy, decisionError } from '../../src/scan/decide.js';
import { addExemption } from '../../src/scan/exemptions.js';
import { setAdvisoryPolicy } from '../../src/scan/policy.js';
import { realRecords, world, type World } from './helpers.js';

const DAY = 86_400_000;
let w: World;

beforeEach(async () => {
  w = await world({
    lodash: { '4.17.20': {}, '4.17.21': {} },
    lib: { '2.0.0': { lodash: '4.17.20' }, '2.1.0': { lodash: '^4.17.21' } },
    app: { '1.0.0': { lib: '2.0.0' } },
  });
  await w.importRecords(realRecords(['GHSA-35jh-r3h4-6jhm', 'GHSA-29mw-wpgm-hmr9']));
});
afterEach(() => w.cleanup());

describe('the policy decision (what the publish, download and install gates call)', () => {
  it('refuses a publish whose dependency resolves to a blocked version, naming the advisory, the path, the fix and the exemption command; an exemption allows it (audited); expiry restores the block', async () => {
    await setAdvisoryPolicy(w, { block: 'high', warn: 'low' });
    const subject = { operation: 'publish' as const, name: 'app', version: '1.1.0', dependencies: { lib: '2.0.0' } };

    const blocked = await decidePolicy(w, subject);
    expect(blocked.outcome).toBe('block');
    expect(blocked.code).toBe('E_POLICY_BLOCKED');
    expect(blocked.message).toContain('publish of app@1.1.0 refused by the advisory policy (it blocks high and above): 1 advisory');
    expect(blocked.message).toContain('GHSA-35jh-r3h4-6jhm (high; also CVE-2021-23337) Command Injection in lodash');
    expect(blocked.message).toContain('in lodash@4.17.20, through app@1.1.0 → lib@2.0.0 → lodash@4.17.20');
    expect(blocked.message).toContain('fixed in 4.17.21');
    expect(blocked.message).toContain('pakt policy exempt GHSA-35jh-r3h4-6jhm --packages app --reason "<why it does not apply to app>" --expires 30d');
    // The moderate one is below the block level and at the warn level.
    expect(blocked.warnings).toEqual(['GHSA-29mw-wpgm-hmr9 (moderate) in lodash@4.17.20 through app@1.1.0 → lib@2.0.0 → lodash@4.17.20; fixed in 4.17.21']);
    const error = decisionError(blocked);
    expect(error.code).toBe('E_POLICY_BLOCKED');
    expect((error as RegistryError<'E_POLICY_BLOCKED'>).details.findings).toEqual([{ advisory: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], severity: 'high', affected: { name: 'lodash', version: '4.17.20' }, via: ['lib@2.0.0', 'lodash@4.17.20'], fixed: ['4.17.21'], exempt: 'pakt policy exempt GHSA-35jh-r3h4-6jhm --packages app --reason "<why it does not apply to app>" --expires 30d' }]);
    expect(error.hint).toContain('Use lodash 4.17.21 or later');

    await addExemption(w, { advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'app', reason: 'app never calls _.template', expires: new Date(w.now.value.getTime() + DAY) });
    const allowed = await decidePolicy(w, subject);
    expect(allowed.outcome).toBe('warn');
    const exempted = allowed.findings.find((f) => f.advisory === 'GHSA-35jh-r3h4-6jhm')!;
    expect(exempted).toMatchObject({ level: 'info', exemptedLevel: 'block', exemption: { packages: 'app', reason: 'app never calls _.template' } });
    expect(w.events.map((e) => e.action)).toEqual(['policy-set', 'exemption-add', 'exemption-applied']);
    expect(w.events[2]).toMatchObject({ actor: 'tester', outcome: 'success', name: 'app', version: '1.1.0', detail: { operation: 'publish', advisory: 'GHSA-35jh-r3h4-6jhm', level: 'block', affected: 'lodash@4.17.20', via: ['lib@2.0.0', 'lodash@4.17.20'], packages: 'app', reason: 'app never calls _.template' } });

    w.now.value = new Date(w.now.value.getTime() + 2 * DAY);
    const again = await decidePolicy(w, subject);
    expect(again.outcome).toBe('block');
    expect(again.findings.find((f) => f.advisory === 'GHSA-35jh-r3h4-6jhm')!.exemption).toBeUndefined();
  });

  it('refuses a download of a version published before the advisory was imported', async () => {
    const d = await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.20' });
    expect(d.outcome).toBe('block');
    expect(d.message).toContain('in lodash@4.17.20, through lodash@4.17.20 itself');
    expect((await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.21' })).outcome).toBe('allow');
    expect((await decidePolicy(w, { operation: 'download', name: 'lib', version: '2.1.0' })).outcome).toBe('allow');
  });

  it('an exemption matches the advisory by any alias, and the affected package by pattern', async () => {
    await addExemption(w, { advisory: 'CVE-2021-23337', packages: 'lodash', reason: 'templates are not used anywhere here', expires: new Date(w.now.value.getTime() + DAY) });
    expect((await decidePolicy(w, { operation: 'install', name: 'app', version: '1.0.0' })).outcome).toBe('warn');
    expect((await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.20' })).outcome).toBe('warn');
  });

  it('an exemption for another package does not apply', async () => {
    await addExemption(w, { advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'other-app', reason: 'only other-app is reviewed', expires: new Date(w.now.value.getTime() + DAY) });
    expect((await decidePolicy(w, { operation: 'install', name: 'app', version: '1.0.0' })).outcome).toBe('block');
  });

  it('is off for a store that set no policy and imported nothing, and when both levels are none', async () => {
    const fresh = await world({ lodash: { '4.17.20': {} } });
    try {
      const d = await decidePolicy(fresh, { operation: 'download', name: 'lodash', version: '4.17.20' });
      expect(d).toMatchObject({ outcome: 'allow', skipped: 'no policy was set and no advisory database was imported' });
    } finally {
      fresh.cleanup();
    }
    await setAdvisoryPolicy(w, { block: 'none', warn: 'none' });
    expect((await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.20' })).outcome).toBe('allow');
  });

  it('with a policy set and no database: fail-closed refuses with E_ADVISORIES_MISSING, fail-open allows with a warning, audited', async () => {
    const fresh = await world({ lodash: { '4.17.20': {} } });
    try {
      await setAdvisoryPolicy(fresh, { block: 'high' });
      const closed = await decidePolicy(fresh, { operation: 'download', name: 'lodash', version: '4.17.20' });
      expect(closed).toMatchObject({ outcome: 'block', code: 'E_ADVISORIES_MISSING' });
      expect(decisionError(closed).code).toBe('E_ADVISORIES_MISSING');
      await setAdvisoryPolicy(fresh, { onScannerFailure: 'fail-open' });
      const open = await decidePolicy(fresh, { operation: 'download', name: 'lodash', version: '4.17.20' });
      expect(open.outcome).toBe('warn');
      expect(open.warnings[0]).toMatch(/^advisories not checked for lodash@4\.17\.20 \(E_ADVISORIES_MISSING: .*\); allowed because the policy is fail-open$/);
      expect(fresh.events.at(-1)).toMatchObject({ action: 'policy-fail-open', name: 'lodash', version: '4.17.20', code: 'E_ADVISORIES_MISSING' });
    } finally {
      fresh.cleanup();
    }
  });

  it('an unreadable database is a scanner failure: refused under fail-closed with E_ADVISORIES_UNREADABLE', async () => {
    await setAdvisoryPolicy(w, { block: 'high' });
    w.scanner.close();
    writeFileSync(path.join(w.dir, 'advisories.db'), 'this is not a database '.repeat(100));
    w.scanner = createOsvScanner({ path: path.join(w.dir, 'advisories.db') });
    const d = await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.21' });
    expect(d).toMatchObject({ outcome: 'block', code: 'E_ADVISORIES_UNREADABLE' });
  });

  it('a database older than the maximum age refuses every decision (E_ADVISORIES_STALE), fail-open or not', async () => {
    await setAdvisoryPolicy(w, { maxAdvisoryAgeHours: 24, onScannerFailure: 'fail-open' });
    w.now.value = new Date(w.now.value.getTime() + 25 * 3_600_000);
    const d = await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.21' });
    expect(d).toMatchObject({ outcome: 'block', code: 'E_ADVISORIES_STALE' });
    const error = decisionError(d);
    expect(error.message).toContain("older than allowed (1d, the policy's maximum advisory age)");
    expect(error.hint).toContain('pakt advisories import all.zip');
  });

  it('counts an advisory without severity as unknownAs (high by default)', async () => {
    const unscored: OsvRecord = { id: 'MAL-2025-0001', modified: '2025-01-01T00:00:00Z', summary: 'Malicious code in lodash', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, versions: ['4.17.21'] }] };
    await w.importRecords([unscored]);
    const d = await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.21' });
    expect(d.outcome).toBe('block');
    expect(d.message).toContain('MAL-2025-0001 (unknown) Malicious code in lodash');
    expect(d.message).toContain('no fixed version is known');
    await setAdvisoryPolicy(w, { unknownAs: 'low' });
    expect((await decidePolicy(w, { operation: 'download', name: 'lodash', version: '4.17.21' })).outcome).toBe('warn');
  });

  it('checks the version itself when its dependencies do not resolve in this store, and says so', async () => {
    const d = await decidePolicy(w, { operation: 'publish', name: 'lodash', version: '4.17.22', dependencies: { missing: '^1.0.0' } });
    expect(d.outcome).toBe('warn');
    expect(d.unresolved?.code).toBe('E_UNSATISFIABLE');
    expect(d.warnings.at(-1)).toMatch(/^the dependencies of lodash@4\.17\.22 do not resolve in this store, so only the version itself was checked/);
  });
});
