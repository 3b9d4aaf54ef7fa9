/**
 * The scanner conformance suite: what every ScannerProvider must do. Run it against your own:
 *
 *   await describeScannerConformance({ name: 'my-feed', create: () => createMyScanner(opts) });
 *
 * Records reach the scanner through its importRecords(), or through `load` for a feed that takes
 * no imports (serve the records given from your feed). Without either, every case that needs
 * records is reported as skipped with "unsupported: ..." in its title, never as passed; so are
 * the import cases for a scanner without importRecords, and the reopen case without `reopen`.
 *
 * The records here are made up for the rules they check (the OSV evaluation: events, limits,
 * versions[] lists, prerelease order, aliases, withdrawal, modified); pakt's own tests add real
 * GitHub advisories.
 */
import semver from 'semver';
import { afterEach, describe, expect, it } from 'vitest';
import { CORE_VERSION, type AdvisoryMatch, type OsvRecord, type ScannerProvider } from '../../src/contracts/index.js';
import { checkProvider } from '../../src/core/provider-check.js';
import { RegistryError } from '../../src/errors.js';
import { conformanceCases } from './harness.js';

export interface ScannerConformanceOptions<S extends ScannerProvider = ScannerProvider> {
  /** Shown in the suite title. */
  name: string;
  /** A fresh scanner holding nothing; called once per case. */
  create: () => Promise<S> | S;
  /** For a scanner without importRecords: make it serve exactly these records. */
  load?: (scanner: S, records: readonly OsvRecord[]) => Promise<void> | void;
  /** A new scanner over what `scanner` stored (after its close()); enables the persistence case. */
  reopen?: (scanner: S) => Promise<S> | S;
  /** Removes what create() made; called after close(). */
  cleanup?: (scanner: S) => Promise<void> | void;
  /** Titles of cases to skip (known gaps of an implementation, listed openly). */
  skip?: readonly string[];
}

const T0 = '2024-01-01T00:00:00Z';

/** A record affecting `name` through one SEMVER range of `events`. */
export function osvRecord(id: string, name: string, events: Array<Record<string, string>>, extra: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id,
    modified: T0,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events }] }],
    database_specific: { severity: 'HIGH' },
    ...extra,
  } as OsvRecord;
}

const ids = (list: readonly AdvisoryMatch[] | undefined): string[] => (list ?? []).map((m) => m.id).sort();

export async function describeScannerConformance<S extends ScannerProvider>(options: ScannerConformanceOptions<S>): Promise<void> {
  const { test, needs } = conformanceCases(options.skip);
  const open: S[] = [];
  const made: S[] = [];

  async function fresh(): Promise<S> {
    const s = await options.create();
    open.push(s);
    made.push(s);
    return s;
  }

  const probe = await options.create();
  const canImport = typeof probe.importRecords === 'function';
  await probe.close?.();
  await options.cleanup?.(probe);
  const canLoad = canImport || options.load !== undefined;

  /** A scanner holding `records` (imported, or served through `load`). */
  async function holding(records: readonly OsvRecord[]): Promise<S> {
    const s = await fresh();
    if (options.load) await options.load(s, records);
    else await s.importRecords!(records, { importedAt: '2024-06-01T00:00:00.000Z' });
    return s;
  }
  const withRecords = (title: string, fn: () => Promise<void>): void => needs('records (importRecords or load)', canLoad, title, fn);
  const withImport = (title: string, fn: () => Promise<void>): void => needs('importRecords', canImport, title, fn);

  describe(`scanner conformance: ${options.name}`, () => {
    afterEach(async () => {
      for (const s of open.splice(0).reverse()) await s.close?.();
      for (const s of made.splice(0)) await options.cleanup?.(s);
    });

    test('declares its family and a core range that includes this core', async () => {
      const s = await fresh();
      expect(s.info.family).toBe('scanner');
      expect(s.info.name).toMatch(/\S/);
      expect(semver.satisfies(CORE_VERSION, s.info.coreRange)).toBe(true);
      expect(typeof s.capabilities.persistent).toBe('boolean');
      expect(typeof s.capabilities.multiProcess).toBe('boolean');
      // What CoreRegistryManager checks at construction.
      expect(() => checkProvider('scanner', s)).not.toThrow();
    });

    needs('importRecords', canImport, 'reports no database before anything is imported, and answers every version asked about', async () => {
      const s = await fresh();
      expect(await s.status()).toBeUndefined();
      const answer = await s.affecting('lodash', ['4.17.20', '4.17.21']);
      expect([...answer.keys()].sort()).toEqual(['4.17.20', '4.17.21']);
      expect([...answer.values()].every((l) => l.length === 0)).toBe(true);
    });

    withRecords('introduced "0" and fixed: affected below fixed, not at it; every version asked is a key', async () => {
      const s = await holding([osvRecord('TEST-1', 'left-pad', [{ introduced: '0' }, { fixed: '1.2.0' }])]);
      const answer = await s.affecting('left-pad', ['0.0.0', '1.1.9', '1.2.0', '2.0.0']);
      expect([...answer.keys()].sort()).toEqual(['0.0.0', '1.1.9', '1.2.0', '2.0.0']);
      expect(ids(answer.get('0.0.0'))).toEqual(['TEST-1']);
      expect(ids(answer.get('1.1.9'))).toEqual(['TEST-1']);
      expect(ids(answer.get('1.2.0'))).toEqual([]);
      expect(ids(answer.get('2.0.0'))).toEqual([]);
    });

    withRecords('introduced is inclusive; last_affected is inclusive and what is above it is not affected', async () => {
      const s = await holding([osvRecord('TEST-2', 'pad', [{ introduced: '1.0.0' }, { last_affected: '1.4.2' }])]);
      const answer = await s.affecting('pad', ['0.9.9', '1.0.0', '1.4.2', '1.4.3', '1.4.3-beta.1']);
      expect(ids(answer.get('0.9.9'))).toEqual([]);
      expect(ids(answer.get('1.0.0'))).toEqual(['TEST-2']);
      expect(ids(answer.get('1.4.2'))).toEqual(['TEST-2']);
      expect(ids(answer.get('1.4.3'))).toEqual([]);
      // SemVer order: 1.4.3-beta.1 is above 1.4.2, so above last_affected.
      expect(ids(answer.get('1.4.3-beta.1'))).toEqual([]);
    });

    withRecords('prereleases are ordered by SemVer 2.0.0: a prerelease of a fixed version is below it, one of introduced below that', async () => {
      const s = await holding([osvRecord('TEST-3', 'pre', [{ introduced: '2.0.0' }, { fixed: '2.1.0' }])]);
      const answer = await s.affecting('pre', ['2.0.0-rc.1', '2.0.0', '2.1.0-alpha', '2.1.0-beta.2', '2.1.0']);
      expect(ids(answer.get('2.0.0-rc.1'))).toEqual([]);
      expect(ids(answer.get('2.0.0'))).toEqual(['TEST-3']);
      expect(ids(answer.get('2.1.0-alpha'))).toEqual(['TEST-3']);
      expect(ids(answer.get('2.1.0-beta.2'))).toEqual(['TEST-3']);
      expect(ids(answer.get('2.1.0'))).toEqual([]);
    });

    withRecords('several ranges and several affected entries in one record, and events out of order, are evaluated as the schema says', async () => {
      const s = await holding([{
        id: 'TEST-4',
        modified: T0,
        affected: [
          { package: { ecosystem: 'npm', name: 'multi' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.2.0' }, { introduced: '1.0.0' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }] }] },
          { package: { ecosystem: 'npm', name: 'multi' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.0.0' }] }] },
        ],
      } as OsvRecord]);
      const answer = await s.affecting('multi', ['0.9.0', '1.0.0', '1.1.9', '1.2.0', '2.5.0', '3.0.0', '3.2.4', '3.2.5', '4.9.9', '5.0.0', '99.0.0']);
      const affected = [...answer].filter(([, l]) => l.length > 0).map(([v]) => v).sort(semver.compare);
      expect(affected).toEqual(['1.0.0', '1.1.9', '3.0.0', '3.2.4', '5.0.0', '99.0.0']);
    });

    withRecords('limit events bound a range (exclusive); a "*" limit is infinity', async () => {
      const s = await holding([
        osvRecord('TEST-5', 'lim', [{ introduced: '1.0.0' }, { limit: '1.5.0' }]),
        osvRecord('TEST-6', 'star', [{ introduced: '1.0.0' }, { limit: '*' }]),
      ]);
      const lim = await s.affecting('lim', ['1.0.0', '1.4.9', '1.5.0', '2.0.0']);
      expect(ids(lim.get('1.4.9'))).toEqual(['TEST-5']);
      expect(ids(lim.get('1.5.0'))).toEqual([]);
      expect(ids(lim.get('2.0.0'))).toEqual([]);
      const star = await s.affecting('star', ['0.9.0', '1.0.0', '100.0.0']);
      expect(ids(star.get('0.9.0'))).toEqual([]);
      expect(ids(star.get('100.0.0'))).toEqual(['TEST-6']);
    });

    withRecords('versions[] lists match exactly, alongside ranges; GIT ranges and other ecosystems never match', async () => {
      const s = await holding([
        { id: 'TEST-7', modified: T0, affected: [{ package: { ecosystem: 'npm', name: 'listed' }, versions: ['0.7.29', '1.0.0'] }] } as OsvRecord,
        { id: 'TEST-8', modified: T0, affected: [{ package: { ecosystem: 'npm', name: 'gitonly' }, ranges: [{ type: 'GIT', repo: 'https://example.org/r', events: [{ introduced: '0' }] }] }] } as OsvRecord,
        { id: 'TEST-9', modified: T0, affected: [{ package: { ecosystem: 'PyPI', name: 'pyname' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] } as OsvRecord,
      ]);
      const listed = await s.affecting('listed', ['0.7.29', '0.7.30', '1.0.0', '1.0.1']);
      expect(ids(listed.get('0.7.29'))).toEqual(['TEST-7']);
      expect(ids(listed.get('0.7.30'))).toEqual([]);
      expect(ids(listed.get('1.0.0'))).toEqual(['TEST-7']);
      expect(ids((await s.affecting('gitonly', ['1.0.0'])).get('1.0.0'))).toEqual([]);
      expect(ids((await s.affecting('pyname', ['1.0.0'])).get('1.0.0'))).toEqual([]);
    });

    withRecords('names match exactly (a look-alike is another package), ignoring case', async () => {
      const s = await holding([osvRecord('TEST-10', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }]), osvRecord('TEST-11', 'Axios', [{ introduced: '0' }])]);
      expect(ids((await s.affecting('lodash', ['4.17.20'])).get('4.17.20'))).toEqual(['TEST-10']);
      expect(ids((await s.affecting('lodash-es', ['4.17.20'])).get('4.17.20'))).toEqual([]);
      expect(ids((await s.affecting('lodash.merge', ['4.17.20'])).get('4.17.20'))).toEqual([]);
      expect(ids((await s.affecting('axios', ['1.0.0'])).get('1.0.0'))).toEqual(['TEST-11']);
    });

    withRecords('records that are aliases of each other give one entry, with the other ids as aliases', async () => {
      const s = await holding([
        osvRecord('GHSA-aaaa-bbbb-cccc', 'dup', [{ introduced: '0' }, { fixed: '2.0.0' }], { aliases: ['CVE-2099-0001'], database_specific: { severity: 'MODERATE' } }),
        osvRecord('CVE-2099-0001', 'dup', [{ introduced: '0' }, { fixed: '2.1.0' }], { aliases: ['GHSA-aaaa-bbbb-cccc'], database_specific: { severity: 'CRITICAL' } }),
        osvRecord('OSV-2099-7', 'dup', [{ introduced: '0' }], { aliases: ['CVE-2099-0002'] }),
      ]);
      const list = (await s.affecting('dup', ['1.0.0'])).get('1.0.0')!;
      expect(list.map((m) => m.id).sort()).toEqual(['GHSA-aaaa-bbbb-cccc', 'OSV-2099-7']);
      const merged = list.find((m) => m.id === 'GHSA-aaaa-bbbb-cccc')!;
      expect(merged.aliases).toEqual(['CVE-2099-0001']);
      expect(merged.severity).toBe('critical');
      expect(merged.fixed).toEqual(['2.0.0', '2.1.0']);
    });

    withRecords('severity: database_specific first, else the CVSS v3 vector, else unknown', async () => {
      const s = await holding([
        osvRecord('TEST-12', 'sev', [{ introduced: '0' }], { database_specific: { severity: 'LOW' }, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
        osvRecord('TEST-13', 'sev', [{ introduced: '0' }], { database_specific: {}, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }),
        osvRecord('TEST-14', 'sev', [{ introduced: '0' }], { database_specific: {} }),
      ]);
      const list = (await s.affecting('sev', ['1.0.0'])).get('1.0.0')!;
      const by = new Map(list.map((m) => [m.id, m]));
      expect(by.get('TEST-12')?.severity).toBe('low');
      expect(by.get('TEST-13')?.severity).toBe('critical');
      expect(by.get('TEST-13')?.score).toBe(9.8);
      expect(by.get('TEST-14')?.severity).toBe('unknown');
    });

    withRecords('fixed lists the fixing versions above the affected one', async () => {
      const s = await holding([{
        id: 'TEST-15', modified: T0, database_specific: { severity: 'HIGH' },
        affected: [{ package: { ecosystem: 'npm', name: 'br' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '5.2.4' }, { introduced: '6.0.0' }, { fixed: '6.2.3' }, { introduced: '7.0.0' }, { fixed: '7.5.10' }] }] }],
      } as OsvRecord]);
      const answer = await s.affecting('br', ['6.1.0', '7.5.9']);
      expect(answer.get('6.1.0')![0]!.fixed).toEqual(['6.2.3', '7.5.10']);
      expect(answer.get('7.5.9')![0]!.fixed).toEqual(['7.5.10']);
    });

    withImport('status reports the records that can match, the newest modified and the import time', async () => {
      const s = await fresh();
      await s.importRecords!([
        osvRecord('TEST-16', 'a', [{ introduced: '0' }], { modified: '2024-03-01T10:00:00Z' }),
        osvRecord('TEST-17', 'b', [{ introduced: '0' }], { modified: '2024-05-02T11:00:00Z' }),
      ], { importedAt: '2024-06-01T00:00:00.000Z' });
      const db = await s.status();
      expect(db).toMatchObject({ records: 2, newestModified: '2024-05-02T11:00:00Z', importedAt: '2024-06-01T00:00:00.000Z' });
      expect(db!.version).toMatch(/\S/);
    });

    withImport('the same records imported twice change nothing; a newer modified replaces, an older one is ignored', async () => {
      const s = await fresh();
      const v1 = osvRecord('TEST-18', 'rep', [{ introduced: '0' }, { fixed: '1.0.0' }], { modified: '2024-01-01T00:00:00Z' });
      const first = await s.importRecords!([v1], { importedAt: '2024-06-01T00:00:00.000Z' });
      expect(first).toMatchObject({ imported: 1, updated: 0, unchanged: 0 });
      const version = (await s.status())!.version;
      const again = await s.importRecords!([v1], { importedAt: '2024-06-02T00:00:00.000Z' });
      expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 1, withdrawn: 0 });
      expect((await s.status())!.version).toBe(version);
      const v2 = osvRecord('TEST-18', 'rep', [{ introduced: '0' }, { fixed: '2.0.0' }], { modified: '2024-02-01T00:00:00.000001Z' });
      expect(await s.importRecords!([v2], { importedAt: '2024-06-03T00:00:00.000Z' })).toMatchObject({ updated: 1 });
      expect(ids((await s.affecting('rep', ['1.5.0'])).get('1.5.0'))).toEqual(['TEST-18']);
      expect((await s.status())!.version).not.toBe(version);
      // An older copy changes nothing.
      expect(await s.importRecords!([v1], { importedAt: '2024-06-04T00:00:00.000Z' })).toMatchObject({ unchanged: 1 });
      expect(ids((await s.affecting('rep', ['1.5.0'])).get('1.5.0'))).toEqual(['TEST-18']);
    });

    withImport('a withdrawn record stops matching, and an older copy does not bring it back', async () => {
      const s = await fresh();
      const live = osvRecord('TEST-19', 'wd', [{ introduced: '0' }], { modified: '2024-01-01T00:00:00Z' });
      await s.importRecords!([live], { importedAt: '2024-06-01T00:00:00.000Z' });
      expect(ids((await s.affecting('wd', ['1.0.0'])).get('1.0.0'))).toEqual(['TEST-19']);
      const withdrawn = { ...live, modified: '2024-02-01T00:00:00Z', withdrawn: '2024-02-01T00:00:00Z' } as OsvRecord;
      expect(await s.importRecords!([withdrawn], { importedAt: '2024-06-02T00:00:00.000Z' })).toMatchObject({ withdrawn: 1 });
      expect(ids((await s.affecting('wd', ['1.0.0'])).get('1.0.0'))).toEqual([]);
      expect((await s.status())!.records).toBe(0);
      expect(await s.importRecords!([live], { importedAt: '2024-06-03T00:00:00.000Z' })).toMatchObject({ unchanged: 1 });
      expect(ids((await s.affecting('wd', ['1.0.0'])).get('1.0.0'))).toEqual([]);
    });

    withImport('an import whose records fail part way leaves the database as it was', async () => {
      const s = await fresh();
      await s.importRecords!([osvRecord('TEST-20', 'keep', [{ introduced: '0' }])], { importedAt: '2024-06-01T00:00:00.000Z' });
      const before = await s.status();
      async function* failing(): AsyncGenerator<OsvRecord> {
        yield osvRecord('TEST-21', 'half', [{ introduced: '0' }]);
        yield osvRecord('TEST-20', 'keep', [{ introduced: '0' }], { modified: '2030-01-01T00:00:00Z', withdrawn: '2030-01-01T00:00:00Z' });
        throw new RegistryError('E_ADVISORY_INVALID', 'the source failed part way');
      }
      await expect(s.importRecords!(failing(), { importedAt: '2024-06-02T00:00:00.000Z' })).rejects.toMatchObject({ code: 'E_ADVISORY_INVALID' });
      expect(await s.status()).toEqual(before);
      expect(ids((await s.affecting('half', ['1.0.0'])).get('1.0.0'))).toEqual([]);
      expect(ids((await s.affecting('keep', ['1.0.0'])).get('1.0.0'))).toEqual(['TEST-20']);
    });

    withImport('a record it cannot evaluate goes to onRejected, or else fails the whole import with E_ADVISORY_INVALID', async () => {
      const s = await fresh();
      const bad = osvRecord('TEST-22', 'bad', [{ introduced: '0' }, { fixed: 'not-a-version' }]);
      const good = osvRecord('TEST-23', 'good', [{ introduced: '0' }]);
      let error: unknown;
      try {
        await s.importRecords!([good, bad], { importedAt: '2024-06-01T00:00:00.000Z' });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'E_ADVISORY_INVALID' });
      expect(ids((await s.affecting('good', ['1.0.0'])).get('1.0.0'))).toEqual([]);
      const rejected: string[] = [];
      const counts = await s.importRecords!([good, bad], { importedAt: '2024-06-01T00:00:00.000Z', onRejected: (r) => rejected.push(r.id) });
      expect(rejected).toEqual(['TEST-22']);
      expect(counts.imported).toBe(1);
      expect(ids((await s.affecting('good', ['1.0.0'])).get('1.0.0'))).toEqual(['TEST-23']);
    });

    needs('reopen', canImport && options.reopen !== undefined, 'keeps its records across a reopen', async () => {
      const s = await fresh();
      await s.importRecords!([osvRecord('TEST-24', 'kept', [{ introduced: '0' }])], { importedAt: '2024-06-01T00:00:00.000Z' });
      await s.close?.();
      open.splice(open.indexOf(s), 1);
      const again = await options.reopen!(s);
      open.push(again);
      expect(ids((await again.affecting('kept', ['1.0.0'])).get('1.0.0'))).toEqual(['TEST-24']);
      expect((await again.status())?.records).toBe(1);
    });

    it.skipIf(!canLoad)('affectedNames, when offered, names every package an advisory affects, lowercased', async () => {
      const s = await holding([osvRecord('TEST-25', 'Named', [{ introduced: '0' }]), osvRecord('TEST-26', 'other', [{ introduced: '0' }])]);
      if (!s.affectedNames) return;
      const names = await s.affectedNames();
      expect(names.has('named')).toBe(true);
      expect(names.has('other')).toBe(true);
      expect(names.has('absent')).toBe(false);
    });
  });
}
