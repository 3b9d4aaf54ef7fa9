/**
 * The OSV evaluation on 32 real npm advisories from GitHub's database (fixtures/advisories), at
 * every boundary: at `introduced` and just below, at `fixed` and just below, at `last_affected`
 * and just above, prereleases of fixed versions, gaps between ranges, look-alike names, another
 * ecosystem, the data's own quirks. Withdrawal, replacement and aliases use a real record with
 * one field changed by the test (no real withdrawn npm record was found; see the README there).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../src/contracts/index.js';
import { createOsvScanner, type OsvScanner } from '../../../../providers/scanner/osv/index.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const FIXTURES = path.join(root, 'fixtures', 'advisories', 'ghsa');

export function realRecords(): OsvRecord[] {
  return readdirSync(FIXTURES).sort().map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as OsvRecord);
}

let dir: string;
let scanner: OsvScanner;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-real-'));
  scanner = createOsvScanner({ path: path.join(dir, 'advisories.db'), synchronous: 'normal' });
  const counts = await scanner.importRecords(realRecords(), { importedAt: '2025-01-01T00:00:00.000Z' });
  // word-wrap's record is filed under "GitHub Actions": no npm package, not stored.
  expect(counts).toEqual({ imported: 31, updated: 0, unchanged: 0, withdrawn: 0, ignored: 1 });
});
afterAll(() => {
  scanner.close();
  rmSync(dir, { recursive: true, force: true });
});

async function advisories(name: string, version: string): Promise<string[]> {
  return ((await scanner.affecting(name, [version])).get(version) ?? []).map((m) => m.id).sort();
}

/** [package, version, advisories expected] rows. */
type Row = readonly [string, string, readonly string[]];

const ROWS: Row[] = [
  // lodash: fixed in 4.17.12 (jf85), 4.17.20 (p6mc), 4.17.21 (35jh, 29mw)
  ['lodash', '4.17.11', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-jf85-cpcp-j695', 'GHSA-p6mc-m468-83gw']],
  ['lodash', '4.17.12', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']],
  ['lodash', '4.17.19', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']],
  ['lodash', '4.17.20', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm']],
  ['lodash', '4.17.21-rc.1', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm']], // a prerelease of the fixed version is below it
  ['lodash', '4.17.20-beta.1', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']],
  ['lodash', '4.17.21', []],
  ['lodash', '4.17.21+build.7', []],
  ['lodash', '0.0.0', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-jf85-cpcp-j695', 'GHSA-p6mc-m468-83gw']],
  // look-alikes: each package is its own
  ['lodash-es', '4.17.13', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-jf85-cpcp-j695', 'GHSA-p6mc-m468-83gw']],
  ['lodash-es', '4.17.14', ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']],
  ['lodash-amd', '4.17.12', ['GHSA-jf85-cpcp-j695']],
  ['lodash-amd', '4.17.13', []],
  ['lodash.merge', '4.6.0', []],
  ['lodash.defaultsdeep', '4.6.0', ['GHSA-jf85-cpcp-j695']],
  ['lodash.defaultsdeep', '4.6.1', []],
  ['lodash.trim', '4.5.1', ['GHSA-29mw-wpgm-hmr9']], // last_affected is inclusive
  ['lodash.trim', '4.5.2', []],
  ['lodash.trimend', '4.5.1', ['GHSA-29mw-wpgm-hmr9']],
  ['lodash.trimend', '4.5.1-patch.1', ['GHSA-29mw-wpgm-hmr9']], // a prerelease of last_affected sorts below it
  ['lodash.trimend', '4.5.2-0', []], // just above last_affected
  // minimist: [0, 0.2.1) [1.0.0, 1.2.3) (vh95); [0, 0.2.4) [1.0.0, 1.2.6) (xvch)
  ['minimist', '0.2.0', ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h']],
  ['minimist', '0.2.1', ['GHSA-xvch-5gv4-984h']],
  ['minimist', '0.2.3', ['GHSA-xvch-5gv4-984h']],
  ['minimist', '0.2.4', []],
  ['minimist', '0.9.9', []], // in the gap between the ranges
  ['minimist', '1.0.0-rc.1', []], // just below introduced 1.0.0
  ['minimist', '1.0.0', ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h']],
  ['minimist', '1.2.2', ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h']],
  ['minimist', '1.2.3', ['GHSA-xvch-5gv4-984h']],
  ['minimist', '1.2.5', ['GHSA-xvch-5gv4-984h']],
  ['minimist', '1.2.6', []],
  // semver: [0, 5.7.2) [6.0.0, 6.3.1) [7.0.0, 7.5.2)
  ['semver', '5.7.1', ['GHSA-c2qf-rxjj-qqgw']],
  ['semver', '5.7.2', []],
  ['semver', '5.99.0', []],
  ['semver', '6.0.0', ['GHSA-c2qf-rxjj-qqgw']],
  ['semver', '6.3.0', ['GHSA-c2qf-rxjj-qqgw']],
  ['semver', '6.3.1', []],
  ['semver', '7.5.1', ['GHSA-c2qf-rxjj-qqgw']],
  ['semver', '7.5.2-0', ['GHSA-c2qf-rxjj-qqgw']],
  ['semver', '7.5.2', []],
  ['semver', '7.6.0', []],
  // ws: 3h5v [2.1.0, 5.2.4) [6, 6.2.3) [7, 7.5.10) [8, 8.17.1); 6fc8 [5, 5.2.3) [6, 6.2.2) [7, 7.4.6)
  ['ws', '2.0.9', []],
  ['ws', '2.1.0', ['GHSA-3h5v-q93c-6h6q']],
  ['ws', '5.2.2', ['GHSA-3h5v-q93c-6h6q', 'GHSA-6fc8-4gx4-v693']],
  ['ws', '5.2.3', ['GHSA-3h5v-q93c-6h6q']],
  ['ws', '5.2.4', []],
  ['ws', '6.2.2', ['GHSA-3h5v-q93c-6h6q']],
  ['ws', '7.4.6', ['GHSA-3h5v-q93c-6h6q']],
  ['ws', '7.5.10', []],
  ['ws', '8.17.0', ['GHSA-3h5v-q93c-6h6q']],
  ['ws', '8.17.1', []],
  // node-fetch: r683 ["1.0", 3.1.1) and [0, 2.6.7); w7rc [0, 2.6.1) and [3.0.0-beta.1, 3.0.0-beta.9)
  ['node-fetch', '2.6.0', ['GHSA-r683-j2x4-v87g', 'GHSA-w7rc-rwvf-8q5r']],
  ['node-fetch', '2.6.1', ['GHSA-r683-j2x4-v87g']],
  ['node-fetch', '3.0.0-alpha.1', ['GHSA-r683-j2x4-v87g']],
  ['node-fetch', '3.0.0-beta.1', ['GHSA-r683-j2x4-v87g', 'GHSA-w7rc-rwvf-8q5r']],
  ['node-fetch', '3.0.0-beta.8', ['GHSA-r683-j2x4-v87g', 'GHSA-w7rc-rwvf-8q5r']],
  ['node-fetch', '3.0.0-beta.9', ['GHSA-r683-j2x4-v87g']],
  ['node-fetch', '3.1.0', ['GHSA-r683-j2x4-v87g']],
  ['node-fetch', '3.1.1', []],
  // axios: 42xw [0, 0.18.1), 4w2v [0, 0.21.1), wf5p [0.8.1, 1.6.0); "Axios" 8hc4 [1.3.2, 1.7.4)
  ['axios', '0.8.0', ['GHSA-42xw-2xvc-qx8m', 'GHSA-4w2v-q235-vp99']],
  ['axios', '0.8.1', ['GHSA-42xw-2xvc-qx8m', 'GHSA-4w2v-q235-vp99', 'GHSA-wf5p-g6vw-rhxx']],
  ['axios', '0.18.1', ['GHSA-4w2v-q235-vp99', 'GHSA-wf5p-g6vw-rhxx']],
  ['axios', '0.21.1', ['GHSA-wf5p-g6vw-rhxx']],
  ['axios', '1.3.1', ['GHSA-wf5p-g6vw-rhxx']],
  ['axios', '1.3.2', ['GHSA-8hc4-vh64-cxmj', 'GHSA-wf5p-g6vw-rhxx']],
  ['axios', '1.6.0', ['GHSA-8hc4-vh64-cxmj']],
  ['axios', '1.7.3', ['GHSA-8hc4-vh64-cxmj']],
  ['axios', '1.7.4', []],
  // tar and node-tar are different packages (GHSA files CVE-2024-28863 under node-tar)
  ['tar', '3.2.2', ['GHSA-5955-9wpr-37jh', 'GHSA-9r2w-394v-53qc', 'GHSA-qq89-hq3f-393p', 'GHSA-r628-mhmh-qjhw']],
  ['tar', '3.2.3', ['GHSA-5955-9wpr-37jh', 'GHSA-9r2w-394v-53qc', 'GHSA-qq89-hq3f-393p']],
  ['tar', '4.4.15', ['GHSA-5955-9wpr-37jh', 'GHSA-9r2w-394v-53qc', 'GHSA-qq89-hq3f-393p']],
  ['tar', '4.4.16', ['GHSA-5955-9wpr-37jh', 'GHSA-qq89-hq3f-393p']],
  ['tar', '4.4.18', []],
  ['tar', '6.1.1', ['GHSA-5955-9wpr-37jh', 'GHSA-9r2w-394v-53qc', 'GHSA-qq89-hq3f-393p', 'GHSA-r628-mhmh-qjhw']],
  ['tar', '6.2.0', []],
  ['node-tar', '6.2.0', ['GHSA-f5x3-32g6-xq36']],
  ['node-tar', '6.2.1', []],
  // versions[] beside ranges (malware in three releases)
  ['ua-parser-js', '0.7.28', []],
  ['ua-parser-js', '0.7.29', ['GHSA-pjwm-rvh2-c87w']],
  ['ua-parser-js', '0.7.30', []],
  ['ua-parser-js', '0.8.0', ['GHSA-pjwm-rvh2-c87w']],
  ['ua-parser-js', '1.0.0', ['GHSA-pjwm-rvh2-c87w']],
  ['ua-parser-js', '1.0.1', []],
  ['node-ipc', '10.1.0', []],
  ['node-ipc', '10.1.1', ['GHSA-97m3-w2cp-4xx6']],
  ['node-ipc', '10.1.2', ['GHSA-97m3-w2cp-4xx6']],
  ['node-ipc', '10.1.3', []],
  ['json5', '1.0.1', ['GHSA-9c47-m6qq-7p4h']],
  ['json5', '1.0.2', []],
  ['json5', '1.5.0', []],
  ['json5', '2.0.0', ['GHSA-9c47-m6qq-7p4h']],
  ['json5', '2.2.1', ['GHSA-9c47-m6qq-7p4h']],
  ['json5', '2.2.2', []],
  // last_affected, unfixed packages
  ['ip', '1.1.8', ['GHSA-78xj-cgh5-2h22']],
  ['ip', '1.1.9', []],
  ['request', '2.88.2', ['GHSA-p8p7-x288-28g6']],
  ['request', '2.88.3', []],
  ['@cypress/request', '2.88.11', ['GHSA-p8p7-x288-28g6']],
  ['@cypress/request', '2.88.12', []],
  ['vm2', '3.9.19', ['GHSA-cchq-frgv-rjh5']],
  ['vm2', '3.9.20', []],
  // another ecosystem: word-wrap's record is "GitHub Actions"
  ['word-wrap', '1.2.3', []],
  ['glob-parent', '2.9.9', []],
  ['glob-parent', '3.0.0', ['GHSA-ww39-953v-wcq6']],
  ['glob-parent', '5.1.1', ['GHSA-ww39-953v-wcq6']],
  ['glob-parent', '5.1.2', []],
  ['ansi-regex', '2.1.1', []],
  ['ansi-regex', '3.0.0', ['GHSA-93q8-gq69-wqmw']],
  ['ansi-regex', '3.0.1', []],
  ['ansi-regex', '4.1.0', ['GHSA-93q8-gq69-wqmw']],
  ['ansi-regex', '4.1.1', []],
  ['ansi-regex', '5.0.0', ['GHSA-93q8-gq69-wqmw']],
  ['ansi-regex', '6.0.1', []],
  ['braces', '3.0.2', ['GHSA-grv7-fg5c-xmjg']],
  ['braces', '3.0.3', []],
  ['path-to-regexp', '0.1.9', ['GHSA-9wv6-86v2-598j']],
  ['path-to-regexp', '0.1.10', []],
  ['path-to-regexp', '0.2.0', ['GHSA-9wv6-86v2-598j']],
  ['path-to-regexp', '1.9.0', []],
  ['path-to-regexp', '3.2.0', ['GHSA-9wv6-86v2-598j']],
  ['path-to-regexp', '3.3.0', []],
  ['path-to-regexp', '6.2.2', ['GHSA-9wv6-86v2-598j']],
  ['path-to-regexp', '7.0.0', ['GHSA-9wv6-86v2-598j']],
  ['path-to-regexp', '8.0.0', []],
  ['micromatch', '4.0.7', ['GHSA-952p-6rrq-rcjv']],
  ['micromatch', '4.0.8', []],
];

describe('OSV evaluation on real GitHub advisories', () => {
  it.each(ROWS)('%s@%s', async (name, version, expected) => {
    expect(await advisories(name, version)).toEqual([...expected].sort());
  });

  it('answers many versions of one package in one call, the same as one by one', async () => {
    const versions = ROWS.filter(([n]) => n === 'ws').map(([, v]) => v);
    const answer = await scanner.affecting('ws', versions);
    for (const [, v, expected] of ROWS.filter(([n]) => n === 'ws')) expect(answer.get(v)!.map((m) => m.id).sort()).toEqual([...expected].sort());
  });

  it('severity comes from database_specific, aliases and summary from the record, fixed from the events above the version', async () => {
    const lodash = (await scanner.affecting('lodash', ['4.17.20'])).get('4.17.20')!;
    expect(lodash.find((m) => m.id === 'GHSA-35jh-r3h4-6jhm')).toMatchObject({ severity: 'high', severitySource: 'database_specific', aliases: ['CVE-2021-23337'], summary: 'Command Injection in lodash', fixed: ['4.17.21'] });
    expect((await scanner.affecting('minimist', ['1.2.5'])).get('1.2.5')![0]).toMatchObject({ severity: 'critical', fixed: ['1.2.6'] });
    expect((await scanner.affecting('node-fetch', ['2.6.0'])).get('2.6.0')!.find((m) => m.id === 'GHSA-w7rc-rwvf-8q5r')).toMatchObject({ severity: 'low', fixed: ['2.6.1', '3.0.0-beta.9'] });
    const axios = (await scanner.affecting('axios', ['1.5.0'])).get('1.5.0')!;
    expect(axios.map((m) => m.id)).toEqual(['GHSA-8hc4-vh64-cxmj', 'GHSA-wf5p-g6vw-rhxx']); // highest severity first
    expect(axios[1]).toMatchObject({ severity: 'moderate', severitySource: 'database_specific' }); // its severity[] is empty
    const ws = (await scanner.affecting('ws', ['7.4.0'])).get('7.4.0')!;
    expect(ws.find((m) => m.id === 'GHSA-3h5v-q93c-6h6q')!.fixed).toEqual(['7.5.10', '8.17.1']);
    expect(ws.find((m) => m.id === 'GHSA-6fc8-4gx4-v693')!.fixed).toEqual(['7.4.6']);
    expect((await scanner.affecting('path-to-regexp', ['1.8.0'])).get('1.8.0')![0]!.fixed).toEqual(['1.9.0', '3.3.0', '6.3.0', '8.0.0']);
    expect((await scanner.affecting('vm2', ['3.9.19'])).get('3.9.19')![0]!.fixed).toEqual([]);
  });

  it('without database_specific.severity, the CVSS v3 vector decides (lodash template: 7.2, high; minimist: 9.8, critical)', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-cvss-'));
    const s = createOsvScanner({ path: path.join(d, 'a.db'), synchronous: 'normal' });
    try {
      const strip = (r: OsvRecord): OsvRecord => ({ ...r, database_specific: { ...r.database_specific, severity: undefined } });
      const records = realRecords().filter((r) => ['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h', 'GHSA-micromatch'].includes(r.id) || r.id === 'GHSA-952p-6rrq-rcjv').map(strip);
      await s.importRecords(records, { importedAt: '2025-01-01T00:00:00.000Z' });
      expect((await s.affecting('lodash', ['4.17.20'])).get('4.17.20')![0]).toMatchObject({ severity: 'high', severitySource: 'cvss_v3', score: 7.2 });
      expect((await s.affecting('minimist', ['1.2.5'])).get('1.2.5')![0]).toMatchObject({ severity: 'critical', severitySource: 'cvss_v3', score: 9.8 });
      // micromatch's record has no vector at all: unknown.
      expect((await s.affecting('micromatch', ['4.0.7'])).get('4.0.7')![0]).toMatchObject({ severity: 'unknown', severitySource: 'none' });
    } finally {
      s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('import semantics on real records', () => {
  let d: string;
  let s: OsvScanner;
  beforeAll(() => {
    d = mkdtempSync(path.join(os.tmpdir(), 'pakt-osv-import-'));
  });
  afterAll(() => rmSync(d, { recursive: true, force: true }));

  it('importing the same database twice changes nothing: counts unchanged, same version, same answers', async () => {
    s = createOsvScanner({ path: path.join(d, 'twice.db'), synchronous: 'normal' });
    await s.importRecords(realRecords(), { importedAt: '2025-01-01T00:00:00.000Z' });
    const first = await s.status();
    const again = await s.importRecords(realRecords(), { importedAt: '2025-01-02T00:00:00.000Z' });
    expect(again).toEqual({ imported: 0, updated: 0, unchanged: 31, withdrawn: 0, ignored: 1 });
    const second = await s.status();
    expect(second).toEqual({ ...first, importedAt: '2025-01-02T00:00:00.000Z' });
    expect(await (async () => ((await s.affecting('lodash', ['4.17.20'])).get('4.17.20') ?? []).length)()).toBe(2);
    s.close();
  });

  it('a newer modified replaces the stored record (GHSA-xvch-5gv4-984h, an older copy with its fix at 1.2.5 first)', async () => {
    s = createOsvScanner({ path: path.join(d, 'newer.db'), synchronous: 'normal' });
    const real = realRecords().find((r) => r.id === 'GHSA-xvch-5gv4-984h')!;
    const older: OsvRecord = {
      ...real,
      modified: '2022-03-18T00:01:09Z',
      affected: [{ package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.5' }] }] }],
    };
    expect(await s.importRecords([older], { importedAt: '2025-01-01T00:00:00.000Z' })).toMatchObject({ imported: 1 });
    expect(await advisoriesIn(s, 'minimist', '1.2.5')).toEqual([]);
    expect(await s.importRecords([real], { importedAt: '2025-01-02T00:00:00.000Z' })).toMatchObject({ updated: 1 });
    expect(await advisoriesIn(s, 'minimist', '1.2.5')).toEqual(['GHSA-xvch-5gv4-984h']);
    expect(await advisoriesIn(s, 'minimist', '0.2.0')).toEqual(['GHSA-xvch-5gv4-984h']);
    expect((await s.getRecord('GHSA-xvch-5gv4-984h'))?.modified).toBe('2023-02-27T14:47:14Z');
    // The older copy again: unchanged.
    expect(await s.importRecords([older], { importedAt: '2025-01-03T00:00:00.000Z' })).toMatchObject({ unchanged: 1 });
    expect(await advisoriesIn(s, 'minimist', '1.2.5')).toEqual(['GHSA-xvch-5gv4-984h']);
    s.close();
  });

  it('a withdrawn record stops matching (GHSA-35jh-r3h4-6jhm with a withdrawn time added)', async () => {
    s = createOsvScanner({ path: path.join(d, 'withdrawn.db'), synchronous: 'normal' });
    await s.importRecords(realRecords(), { importedAt: '2025-01-01T00:00:00.000Z' });
    const real = realRecords().find((r) => r.id === 'GHSA-35jh-r3h4-6jhm')!;
    const withdrawn: OsvRecord = { ...real, modified: '2025-01-01T12:00:00Z', withdrawn: '2025-01-01T12:00:00Z' };
    expect(await s.importRecords([withdrawn], { importedAt: '2025-01-02T00:00:00.000Z' })).toMatchObject({ withdrawn: 1 });
    expect(await advisoriesIn(s, 'lodash', '4.17.20')).toEqual(['GHSA-29mw-wpgm-hmr9']);
    expect(await advisoriesIn(s, 'lodash-es', '4.17.20')).toEqual(['GHSA-29mw-wpgm-hmr9']);
    expect((await s.status())!.records).toBe(30);
    expect((await s.affectedNames()).has('lodash')).toBe(true);
    s.close();
  });

  it('a record of another database that names a GHSA as alias is the same finding (one entry, both ids)', async () => {
    s = createOsvScanner({ path: path.join(d, 'alias.db'), synchronous: 'normal' });
    const real = realRecords().find((r) => r.id === 'GHSA-35jh-r3h4-6jhm')!;
    const nvd: OsvRecord = { ...real, id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], database_specific: { severity: 'CRITICAL' } };
    await s.importRecords([real, nvd], { importedAt: '2025-01-01T00:00:00.000Z' });
    const list = (await s.affecting('lodash', ['4.17.20'])).get('4.17.20')!;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], severity: 'critical' });
    s.close();
  });
});

async function advisoriesIn(s: OsvScanner, name: string, version: string): Promise<string[]> {
  return ((await s.affecting(name, [version])).get(version) ?? []).map((m) => m.id).sort();
}
