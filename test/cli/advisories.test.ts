import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { craftZip } from '../../fixtures/zip-craft.js';
import { defaultScanner } from '../../providers/index.js';
import { importAdvisories } from '../../src/scan/advisories.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { FIXTURES } from '../scan/helpers.js';
import { cliRunner } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const pakt = cliRunner({ cwd: () => t.dir, store: () => t.store });

function allZip(): string {
  const file = path.join(t.dir, 'all.zip');
  writeFileSync(file, craftZip(readdirSync(FIXTURES).sort().map((f) => ({ name: f, data: readFileSync(path.join(FIXTURES, f)) }))));
  return file;
}

async function storeWithPackages(): Promise<void> {
  expect((await pakt(['init'])).code).toBe(0);
  const files = [
    await t.pkg('lodash', '4.17.20'),
    await t.pkg('lodash', '4.17.21'),
    await t.pkg('lib', '2.0.0', { dependencies: { lodash: '4.17.20' } }),
    await t.pkg('app', '1.0.0', { dependencies: { lib: '^2.0.0' } }),
  ];
  for (const f of files) expect((await pakt(['publish', f.file])).code).toBe(0);
}

describe('pakt advisories, scan and policy', () => {
  it('without a database, scan and status refuse with E_ADVISORIES_MISSING and a hint to follow', async () => {
    await storeWithPackages();
    const scan = await pakt(['scan', '--json']);
    expect(scan.code).toBe(1);
    expect(scan.json.error).toMatchObject({ code: 'E_ADVISORIES_MISSING' });
    expect(scan.stderr).toContain('hint: On a connected machine download https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip, copy it next to the store, then run `pakt advisories import all.zip`.');
    expect((await pakt(['advisories', 'status'])).stderr).toMatch(/^error\[E_ADVISORIES_MISSING\]/);
  });

  it('import (SPEC §8 shape), status, scan with findings and via paths (exit 1), a clean scan (exit 0)', async () => {
    await storeWithPackages();
    const imported = await pakt(['advisories', 'import', allZip(), '--json']);
    expect(imported.code).toBe(0);
    expect(imported.json).toMatchObject({ imported: 31, updated: 0, unchanged: 0, withdrawn: 0, ignored: 1, skipped: [] });
    expect(Object.keys(imported.json.db).sort()).toEqual(['importedAt', 'newestModified', 'records', 'version']);
    expect(imported.json.db).toMatchObject({ records: 31, newestModified: '2024-09-11T17:17:48Z' });

    const text = await pakt(['advisories', 'import', allZip()]);
    expect(text.stdout).toMatch(/^imported 0 new, 0 updated, 0 withdrawn, 31 unchanged, 1 not about npm \(32 records from .*all\.zip\)\nadvisory database sha256:/);
    expect(text.stdout).toContain('policy: blocks high and above, warns at low and above (the defaults; `pakt policy set` changes them)');

    const status = await pakt(['advisories', 'status', '--json']);
    expect(Object.keys(status.json).sort()).toEqual(['ageHours', 'importedAt', 'newestModified', 'records', 'version']);
    expect(status.json.ageHours).toBeLessThan(1);

    const scan = await pakt(['scan', '--json']);
    expect(scan.code).toBe(1);
    expect(scan.json.scanned).toBe(4);
    expect(Object.keys(scan.json).sort()).toEqual(['db', 'findings', 'scanned', 'unresolved']);
    const app = scan.json.findings.filter((f: any) => f.name === 'app');
    expect(app.map((f: any) => f.advisory)).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-29mw-wpgm-hmr9']);
    expect(app[0]).toEqual({ name: 'app', version: '1.0.0', advisory: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], severity: 'high', via: ['lib@2.0.0', 'lodash@4.17.20'], fixed: ['4.17.21'], summary: 'Command Injection in lodash', policy: 'block' });
    expect(scan.json.findings.find((f: any) => f.name === 'lodash' && f.advisory === 'GHSA-35jh-r3h4-6jhm').via).toEqual([]);

    const human = await pakt(['scan']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('app@1.0.0\n  BLOCK high     GHSA-35jh-r3h4-6jhm Command Injection in lodash via lib@2.0.0 → lodash@4.17.20; fixed in 4.17.21');
    expect(human.stdout).toContain('scanned 4 versions against 31 advisories');
    expect(human.stdout).toContain('pakt policy exempt GHSA-35jh-r3h4-6jhm --packages app --reason "<why it does not apply to app>" --expires 30d');

    const clean = await pakt(['scan', 'lodash@4.17.21', '--json']);
    expect(clean).toMatchObject({ code: 0, json: { scanned: 1, findings: [] } });
    const direct = await pakt(['scan', 'app', '--direct-only', '--json']);
    expect(direct).toMatchObject({ code: 0, json: { scanned: 1, findings: [] } });
  });

  it('policy set / show / exempt / exemptions / unexempt, and their effect on scan; all audited', async () => {
    await storeWithPackages();
    await pakt(['advisories', 'import', allZip()]);
    const set = await pakt(['policy', 'set', '--block', 'critical', '--warn', 'moderate', '--max-advisory-age', '7d', '--json']);
    expect(set.code).toBe(0);
    expect(set.json.advisories).toMatchObject({ block: 'critical', warn: 'moderate', unknownAs: 'high', maxAdvisoryAgeHours: 168, maxAdvisoryAge: '1w', onScannerFailure: 'fail-closed', stored: true, exemptions: { active: 0, expired: 0 } });
    expect((await pakt(['scan'])).code).toBe(0);
    await pakt(['policy', 'set', '--block', 'high']);
    expect((await pakt(['scan'])).code).toBe(1);

    const exempt = await pakt(['policy', 'exempt', 'CVE-2021-23337', '--packages', 'lodash', '--reason', 'templates come from our own code', '--expires', '30d', '--json']);
    expect(exempt.code).toBe(0);
    expect(exempt.json.exemption).toMatchObject({ advisory: 'CVE-2021-23337', packages: 'lodash', reason: 'templates come from our own code' });
    const scan = await pakt(['scan', '--json']);
    expect(scan.code).toBe(0);
    expect(scan.json.findings.find((f: any) => f.name === 'app' && f.advisory === 'GHSA-35jh-r3h4-6jhm')).toMatchObject({ policy: 'info', exemption: { packages: 'lodash', reason: 'templates come from our own code' } });
    const list = await pakt(['policy', 'exemptions', '--json']);
    expect(list.json.exemptions).toHaveLength(1);
    expect(list.json.exemptions[0]).toMatchObject({ advisory: 'CVE-2021-23337', active: true });
    expect((await pakt(['policy', 'show'])).stdout).toContain('exemptions          1 active, 0 expired');
    expect((await pakt(['policy', 'unexempt', 'CVE-2021-23337', '--packages', 'lodash'])).code).toBe(0);
    const gone = await pakt(['policy', 'unexempt', 'CVE-2021-23337', '--packages', 'lodash']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('error[E_EXEMPTION_NOT_FOUND]');
    expect((await pakt(['scan'])).code).toBe(1);

    const audit = readFileSync(path.join(t.store, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string; detail?: any });
    expect(audit.filter((r) => ['advisories-import', 'policy-set', 'exemption-add', 'exemption-remove'].includes(r.action)).map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'advisories-import:success', 'policy-set:success', 'policy-set:success', 'exemption-add:success', 'exemption-remove:success',
    ]);
    expect(audit.find((r) => r.action === 'exemption-add')!.detail).toMatchObject({ advisory: 'CVE-2021-23337', packages: 'lodash', reason: 'templates come from our own code' });
  });

  it('a database older than the maximum age: scan refuses with E_ADVISORIES_STALE and the exact command to run', async () => {
    await storeWithPackages();
    const scanner = defaultScanner({ path: t.store });
    try {
      await importAdvisories({ scanner, clock: () => new Date(Date.now() - 10 * 86_400_000) }, allZip());
    } finally {
      scanner.close();
    }
    const stale = await pakt(['scan', '--max-advisory-age', '7d', '--json']);
    expect(stale.code).toBe(1);
    expect(stale.json.error).toMatchObject({ code: 'E_ADVISORIES_STALE', maxAdvisoryAgeHours: 168 });
    expect(stale.json.error.hint).toContain('`pakt advisories import all.zip`');
    expect(stale.json.error.hint).toContain('`pakt policy set --max-advisory-age 11d`');
    expect((await pakt(['scan', '--max-advisory-age', '11d'])).code).toBe(1); // blocked by findings, not stale
    await pakt(['policy', 'set', '--max-advisory-age', '1d']);
    expect((await pakt(['scan', '--json'])).json.error.code).toBe('E_ADVISORIES_STALE');
    expect((await pakt(['advisories', 'status', '--json'])).json.ageHours).toBeGreaterThan(239);
  });

  it('a malformed import is refused with the files named and the exact command to skip them', async () => {
    await storeWithPackages();
    const bad = path.join(t.dir, 'bad records.json');
    writeFileSync(bad, JSON.stringify([JSON.parse(readFileSync(path.join(FIXTURES, 'GHSA-35jh-r3h4-6jhm.json'), 'utf8')), { id: 'GHSA-0000-0000-0000' }]));
    const r = await pakt(['advisories', 'import', bad, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('E_ADVISORY_INVALID');
    expect(r.json.error.message).toContain(`${bad}#/1 (GHSA-0000-0000-0000): /modified: modified is missing`);
    expect(r.json.error.hint).toContain(`\`pakt advisories import '${bad}' --skip-invalid\``);
    const skipped = await pakt(['advisories', 'import', bad, '--skip-invalid', '--json']);
    expect(skipped.json).toMatchObject({ imported: 1, skipped: [{ file: `${bad}#/1`, id: 'GHSA-0000-0000-0000' }] });
    // Each skipped record is an advisory not checked: a warning, even with --quiet.
    const quiet = await pakt(['advisories', 'import', bad, '--skip-invalid', '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
    expect(quiet.stderr).toBe(`warning: skipped a malformed record: ${bad}#/1 (GHSA-0000-0000-0000): /modified: modified is missing (an RFC 3339 time, e.g. 2024-06-17T19:09:12Z)\n`);
  });

  it('--quiet: import and policy changes print nothing; status, scan, policy show and exemptions still answer', async () => {
    await storeWithPackages();
    expect(await pakt(['advisories', 'import', allZip(), '-q'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await pakt(['advisories', 'status', '-q'])).stdout).toMatch(/^advisory database sha256:.*: 31 advisories, newest modified 2024-09-11T17:17:48Z/);
    expect(await pakt(['policy', 'set', '--block', 'critical', '-q'])).toMatchObject({ code: 0, stdout: '' });
    expect((await pakt(['policy', 'show', '-q'])).stdout).toContain('block               critical and above');
    expect(await pakt(['policy', 'exempt', 'GHSA-35jh-r3h4-6jhm', '--reason', 'not reachable', '--expires', '30d', '-q'])).toMatchObject({ code: 0, stdout: '' });
    expect((await pakt(['policy', 'exemptions', '-q'])).stdout).toMatch(/^active  GHSA-35jh-r3h4-6jhm for '\*' until /);
    expect(await pakt(['policy', 'unexempt', 'GHSA-35jh-r3h4-6jhm', '-q'])).toMatchObject({ code: 0, stdout: '' });
    const scan = await pakt(['scan', 'lodash', '-q']);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toContain('scanned 2 versions against 31 advisories');
  });

  it('a version whose dependencies do not resolve is scanned directly only, with a warning', async () => {
    await storeWithPackages();
    await pakt(['publish', (await t.pkg('orphan', '1.0.0', { dependencies: { lodash: '^9.0.0' } })).file]);
    await pakt(['advisories', 'import', allZip()]);
    const r = await pakt(['scan', 'orphan', '--json']);
    expect(r.json.unresolved).toMatchObject([{ name: 'orphan', version: '1.0.0' }]);
    expect(r.stderr).toMatch(/^warning: orphan@1\.0\.0: its dependencies do not resolve in this store; checked directly only \(/);
  });

  it('usage errors exit 2 with the accepted form', async () => {
    await storeWithPackages();
    const cases: Array<[string[], string]> = [
      [['policy', 'set'], 'E_USAGE'],
      [['policy', 'set', '--block', 'severe'], 'E_INVALID_ARGUMENT'],
      [['policy', 'set', '--block', 'low', '--warn', 'high'], 'E_INVALID_ARGUMENT'],
      [['policy', 'set', '--on-scanner-failure', 'maybe'], 'E_INVALID_ARGUMENT'],
      [['policy', 'set', '--max-advisory-age', 'soon'], 'E_INVALID_ARGUMENT'],
      [['policy', 'show', '--reason', 'x'], 'E_USAGE'],
      [['policy', 'exempt', 'GHSA-35jh-r3h4-6jhm', '--expires', '30d'], 'E_USAGE'],
      [['policy', 'exempt', 'GHSA-35jh-r3h4-6jhm', '--reason', 'ok'], 'E_USAGE'],
      [['policy', 'exempt', 'GHSA-35jh-r3h4-6jhm', '--reason', 'ok', '--expires', '2001-01-01'], 'E_INVALID_ARGUMENT'],
      [['policy', 'exempt', '--reason', 'ok', '--expires', '1d'], 'E_USAGE'],
      [['policy', 'frob'], 'E_USAGE'],
      [['advisories', 'frob'], 'E_USAGE'],
      [['advisories', 'status', 'extra'], 'E_USAGE'],
      [['scan', 'Not A Name'], 'E_USAGE'],
      [['scan', '--max-advisory-age', 'x'], 'E_INVALID_ARGUMENT'],
    ];
    for (const [args, code] of cases) {
      const r = await pakt(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^error\\[${code}\\]`));
    }
  });

  it('refuses a folder that holds no store', async () => {
    const r = await pakt(['scan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_REGISTRY_NOT_FOUND\]/);
  });
});
