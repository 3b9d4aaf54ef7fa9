/**
 * The metadata provider conformance suite: the behaviour every MetadataProvider must show,
 * whatever it stores in. Run it against your own provider:
 *
 *   describeMetadataConformance({ name: 'postgres', create: () => createPgMetadata({ url }), cleanup: dropDb });
 *
 * Cases that need a capability the provider does not declare are reported as skipped with
 * "unsupported: ..." in their title, never as passed, so "fails" and "does not support" stay apart.
 */
import semver from 'semver';
import { afterEach, describe, expect } from 'vitest';
import {
  CORE_VERSION,
  type Digest,
  type MetadataProvider,
  type VersionRecord,
} from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { digestOfBytes } from '../../src/util/digest.js';
import { declareDocumentCases } from './documents.cases.js';
import { conformanceCases } from './harness.js';

export interface MetadataConformanceOptions<P extends MetadataProvider = MetadataProvider> {
  /** Shown in the suite title. */
  name: string;
  /** A fresh, empty provider; called once per case. */
  create: () => Promise<P> | P;
  /** Removes what create() made (files, databases); called after close(). */
  cleanup?: (provider: P) => Promise<void> | void;
  /**
   * Opens a second handle on the same backing store as `provider` (a new connection or process
   * handle). Needed for the `persistent` case (called after close()) and the `multiProcess` cases
   * (called while the first is open). Without it those cases are reported unsupported.
   */
  reopen?: (provider: P) => Promise<P> | P;
  /** Titles of cases to skip (known gaps of an implementation, listed openly). */
  skip?: readonly string[];
}

/** A complete, valid record with a digest derived from `seed` so tests can make equal and different ones. */
export function sampleRecord(name: string, version: string, seed = `${name}@${version}`, extra: Record<string, unknown> = {}): VersionRecord {
  return {
    name,
    version,
    digest: digestOfBytes(seed),
    size: 1000 + seed.length,
    publishedAt: '2026-01-02T03:04:05.000Z',
    metadata: { name, version, description: `the ${name} package`, ...extra },
  };
}

export async function describeMetadataConformance<P extends MetadataProvider>(options: MetadataConformanceOptions<P>): Promise<void> {
  // One probe instance tells which capabilities to test; it is closed and cleaned up at once.
  const probe = await options.create();
  const caps = { ...probe.capabilities };
  const hasVersionNumbers = typeof probe.listVersionNumbers === 'function';
  const hasGuardedRemoval = typeof probe.removeIfUnreferenced === 'function';
  const hasChangeFeed = typeof probe.changesSince === 'function';
  const hasDocuments = probe.documents !== undefined;
  await probe.close?.();
  await options.cleanup?.(probe);

  const cases = conformanceCases(options.skip);
  const { test, needs } = cases;
  const open: P[] = [];
  const roots: P[] = [];

  async function fresh(): Promise<P> {
    const p = await options.create();
    open.push(p);
    roots.push(p);
    return p;
  }
  async function another(p: P): Promise<P> {
    const q = await options.reopen!(p);
    open.push(q);
    return q;
  }

  describe(`metadata conformance: ${options.name}`, () => {
    afterEach(async () => {
      for (const p of open.splice(0).reverse()) await p.close?.();
      for (const p of roots.splice(0)) await options.cleanup?.(p);
    });

    test('declares its family and a core range that includes this core', async () => {
      const p = await fresh();
      expect(p.info.family).toBe('metadata');
      expect(p.info.name).toMatch(/\S/);
      expect(semver.satisfies(CORE_VERSION, p.info.coreRange)).toBe(true);
      expect(typeof p.capabilities.multiProcess).toBe('boolean');
      expect(typeof p.capabilities.persistent).toBe('boolean');
    });

    test('returns what was inserted, metadata verbatim with unknown fields kept', async () => {
      const p = await fresh();
      const record = sampleRecord('left-pad', '1.2.3', 'lp', {
        dependencies: { 'right-pad': '^1.0.0' },
        tags: ['string', 'ünïcödé'],
        'x-custom': { nested: [1, 2.5, null, true, 'text'], empty: {} },
      });
      expect(await p.insertVersion(record)).toEqual({ status: 'inserted' });
      expect(await p.getVersion('left-pad', '1.2.3')).toEqual(record);
    });

    test('unknown names and versions read as absent, not as errors', async () => {
      const p = await fresh();
      await p.insertVersion(sampleRecord('a', '1.0.0'));
      expect(await p.getVersion('a', '2.0.0')).toBeUndefined();
      expect(await p.getVersion('nope', '1.0.0')).toBeUndefined();
      expect(await p.listVersions('nope')).toEqual([]);
      expect(await p.deleteVersion('nope', '1.0.0')).toBeUndefined();
      expect(await p.isDigestReferenced(digestOfBytes('nothing'))).toBe(false);
    });

    test('the same name@version with the same digest is unchanged; with another digest, a conflict', async () => {
      const p = await fresh();
      const first = sampleRecord('pkg', '1.0.0', 'one');
      await p.insertVersion(first);
      const again = await p.insertVersion({ ...first, publishedAt: '2030-01-01T00:00:00.000Z' });
      expect(again).toEqual({ status: 'unchanged', existing: first });
      const other = await p.insertVersion(sampleRecord('pkg', '1.0.0', 'two'));
      expect(other).toEqual({ status: 'conflict', existing: first });
      expect(await p.getVersion('pkg', '1.0.0')).toEqual(first);
      expect(await p.listVersions('pkg')).toHaveLength(1);
    });

    test('names and versions are compared exactly', async () => {
      const p = await fresh();
      await p.insertVersion(sampleRecord('pkg', '1.0.0'));
      expect(await p.insertVersion(sampleRecord('pkg', '1.0.0+build'))).toEqual({ status: 'inserted' });
      expect(await p.insertVersion(sampleRecord('pkg-2', '1.0.0'))).toEqual({ status: 'inserted' });
      expect((await p.listVersions('pkg')).map((r) => r.version).sort()).toEqual(['1.0.0', '1.0.0+build']);
    });

    test('listVersions returns every version of one package and no other', async () => {
      const p = await fresh();
      const versions = ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0', '10.0.0'];
      for (const v of versions) await p.insertVersion(sampleRecord('alpha', v));
      await p.insertVersion(sampleRecord('alphabet', '1.0.0'));
      const listed = await p.listVersions('alpha');
      expect(listed.map((r) => r.version).sort()).toEqual([...versions].sort());
      expect(listed.every((r) => r.name === 'alpha')).toBe(true);
      expect(listed.find((r) => r.version === '2.0.0')).toEqual(sampleRecord('alpha', '2.0.0'));
    });

    needs('listVersionNumbers', hasVersionNumbers, 'listVersionNumbers lists exactly the versions listVersions lists, and follows deletes', async () => {
      const p = await fresh();
      const versions = ['1.0.0', '1.1.0', '2.0.0-beta.1', '2.0.0+build.5', '10.0.0'];
      for (const v of versions) await p.insertVersion(sampleRecord('alpha', v));
      await p.insertVersion(sampleRecord('alphabet', '1.0.0'));
      expect((await p.listVersionNumbers!('alpha')).sort()).toEqual([...versions].sort());
      await p.deleteVersion('alpha', '1.1.0');
      expect((await p.listVersionNumbers!('alpha')).sort()).toEqual(versions.filter((v) => v !== '1.1.0').sort());
      expect(await p.listVersionNumbers!('no-such-package')).toEqual([]);
    });

    needs('removeIfUnreferenced', hasGuardedRemoval, 'removeIfUnreferenced removes only what no version refers to, and returns what the removal said', async () => {
      const p = await fresh();
      const kept = sampleRecord('kept', '1.0.0');
      await p.insertVersion(kept);
      const calls: string[] = [];
      expect(await p.removeIfUnreferenced!(kept.digest, async () => (calls.push('kept'), true))).toBe(false);
      const orphan = digestOfBytes('orphan');
      expect(await p.removeIfUnreferenced!(orphan, async () => (calls.push('orphan'), true))).toBe(true);
      expect(await p.removeIfUnreferenced!(orphan, async () => (calls.push('gone already'), false))).toBe(false);
      expect(calls).toEqual(['orphan', 'gone already']);
    });

    needs('removeIfUnreferenced', hasGuardedRemoval, 'an insert referring to a digest being removed waits until the removal has settled', async () => {
      const p = await fresh();
      const record = sampleRecord('late', '1.0.0');
      const order: string[] = [];
      let finishRemoval!: () => void;
      const removalMayFinish = new Promise<void>((resolve) => (finishRemoval = resolve));
      let removalStarted!: () => void;
      const started = new Promise<void>((resolve) => (removalStarted = resolve));
      const removal = p.removeIfUnreferenced!(record.digest, async () => {
        removalStarted();
        await removalMayFinish;
        order.push('removed');
        return true;
      });
      await started;
      const insert = p.insertVersion(record).then((outcome) => {
        order.push('inserted');
        return outcome;
      });
      // Several loop turns and a timer: an insert that did not wait would have settled by now.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(order).toEqual([]);
      finishRemoval();
      expect(await removal).toBe(true);
      expect(await insert).toEqual({ status: 'inserted' });
      expect(order).toEqual(['removed', 'inserted']);
      expect(await p.isDigestReferenced(record.digest)).toBe(true);
    });

    needs('removeIfUnreferenced', hasGuardedRemoval, 'a removal that fails passes its error on and holds nothing back after it', async () => {
      const p = await fresh();
      const digest = digestOfBytes('failing');
      const boom = new Error('disk on fire');
      await expect(p.removeIfUnreferenced!(digest, async () => Promise.reject(boom))).rejects.toBe(boom);
      expect(await p.insertVersion(sampleRecord('after', '1.0.0', 'failing'))).toEqual({ status: 'inserted' });
      expect(await p.removeIfUnreferenced!(digest, async () => true)).toBe(false);
    });

    needs('changesSince', hasChangeFeed, 'changesSince names each package with a version inserted or deleted after the cursor, once, and reading does not consume', async () => {
      const p = await fresh();
      await p.insertVersion(sampleRecord('before', '1.0.0'));
      const start = await p.changesSince!();
      expect(start).toMatchObject({ names: [], complete: true });
      expect(typeof start.cursor).toBe('string');
      // Asked once with nothing new (a provider may remember this answer), then written to: the
      // writes of this very handle must still be reported.
      expect(await p.changesSince!(start.cursor)).toMatchObject({ names: [], complete: true });
      await p.insertVersion(sampleRecord('alpha', '1.0.0'));
      await p.insertVersion(sampleRecord('alpha', '2.0.0'));
      await p.insertVersion(sampleRecord('beta', '1.0.0'));
      await p.deleteVersion('before', '1.0.0');
      const first = await p.changesSince!(start.cursor);
      expect(first.complete).toBe(true);
      expect([...first.names].sort()).toEqual(['alpha', 'before', 'beta']);
      const again = await p.changesSince!(start.cursor);
      expect([...again.names].sort()).toEqual(['alpha', 'before', 'beta']);
      expect(await p.changesSince!(first.cursor)).toMatchObject({ names: [], complete: true });
      await p.deleteVersion('beta', '1.0.0');
      const second = await p.changesSince!(first.cursor);
      expect(second).toMatchObject({ names: ['beta'], complete: true });
      expect(await p.changesSince!(second.cursor)).toMatchObject({ names: [], complete: true });
    });

    needs('changesSince', hasChangeFeed, 'changesSince refuses a cursor it cannot have returned with E_INVALID_ARGUMENT', async () => {
      const p = await fresh();
      for (const bad of ['not a cursor \u0000', '-1', '1.5']) {
        const err = await p.changesSince!(bad).then(() => undefined, (e: unknown) => e);
        expect(err, bad).toBeInstanceOf(RegistryError);
        expect((err as RegistryError).code).toBe('E_INVALID_ARGUMENT');
      }
    });

    test('listPackageNames is sorted and unique, and forgets a package whose last version is deleted', async () => {
      const p = await fresh();
      for (const [n, v] of [['zeta', '1.0.0'], ['alpha', '1.0.0'], ['mid', '1.0.0'], ['alpha', '2.0.0']] as const) {
        await p.insertVersion(sampleRecord(n, v));
      }
      expect(await p.listPackageNames()).toEqual(['alpha', 'mid', 'zeta']);
      await p.deleteVersion('mid', '1.0.0');
      await p.deleteVersion('alpha', '1.0.0');
      expect(await p.listPackageNames()).toEqual(['alpha', 'zeta']);
    });

    test('deleteVersion removes exactly one version and returns it; the slot can then be reused', async () => {
      const p = await fresh();
      const a1 = sampleRecord('a', '1.0.0');
      const a2 = sampleRecord('a', '2.0.0');
      await p.insertVersion(a1);
      await p.insertVersion(a2);
      expect(await p.deleteVersion('a', '1.0.0')).toEqual(a1);
      expect(await p.getVersion('a', '1.0.0')).toBeUndefined();
      expect(await p.getVersion('a', '2.0.0')).toEqual(a2);
      expect(await p.deleteVersion('a', '1.0.0')).toBeUndefined();
      // Immutability guards what is published; after an audited delete the slot is free again.
      expect(await p.insertVersion(sampleRecord('a', '1.0.0', 'new bytes'))).toEqual({ status: 'inserted' });
    });

    test('isDigestReferenced follows inserts and deletes, counting every version that shares a digest', async () => {
      const p = await fresh();
      const shared = sampleRecord('a', '1.0.0', 'same bytes');
      await p.insertVersion(shared);
      await p.insertVersion({ ...sampleRecord('b', '1.0.0'), digest: shared.digest });
      expect(await p.isDigestReferenced(shared.digest)).toBe(true);
      await p.deleteVersion('a', '1.0.0');
      expect(await p.isDigestReferenced(shared.digest)).toBe(true);
      await p.deleteVersion('b', '1.0.0');
      expect(await p.isDigestReferenced(shared.digest)).toBe(false);
    });

    test('allVersions yields every record once, and may be left early', async () => {
      const p = await fresh();
      const expected = new Map<string, VersionRecord>();
      for (let i = 0; i < 300; i++) {
        const record = sampleRecord(`pkg-${i % 37}`, `1.0.${i}`);
        expected.set(`${record.name}@${record.version}`, record);
        await p.insertVersion(record);
      }
      const seen = new Map<string, VersionRecord>();
      for await (const record of p.allVersions()) {
        const key = `${record.name}@${record.version}`;
        expect(seen.has(key), `${key} yielded twice`).toBe(false);
        seen.set(key, record);
      }
      expect(seen).toEqual(expected);

      let taken = 0;
      for await (const _ of p.allVersions()) {
        if (++taken === 5) break;
      }
      // Leaving early must release whatever the iteration held: writes still work afterwards.
      expect(await p.insertVersion(sampleRecord('after-break', '1.0.0'))).toEqual({ status: 'inserted' });
    });

    test('allVersions of an empty store yields nothing', async () => {
      const p = await fresh();
      const all: VersionRecord[] = [];
      for await (const r of p.allVersions()) all.push(r);
      expect(all).toEqual([]);
    });

    test('records handed out are copies: changing one does not change the store', async () => {
      const p = await fresh();
      const record = sampleRecord('a', '1.0.0', 'a', { tags: ['x'] });
      await p.insertVersion(record);
      (record.metadata.tags as string[]).push('mutated-input');
      const got = (await p.getVersion('a', '1.0.0'))!;
      expect(got.metadata.tags).toEqual(['x']);
      got.metadata.description = 'mutated-output';
      (await p.listVersions('a'))[0]!.metadata.description = 'mutated-list';
      expect((await p.getVersion('a', '1.0.0'))!.metadata.description).toBe('the a package');
    });

    test('concurrent inserts of one name@version: exactly one wins, the rest see it', async () => {
      const p = await fresh();
      const same = await Promise.all(Array.from({ length: 16 }, () => p.insertVersion(sampleRecord('race', '1.0.0', 'same'))));
      expect(same.filter((o) => o.status === 'inserted')).toHaveLength(1);
      expect(same.filter((o) => o.status === 'unchanged')).toHaveLength(15);

      const different = await Promise.all(Array.from({ length: 16 }, (_, i) => p.insertVersion(sampleRecord('race', '2.0.0', `bytes-${i}`))));
      expect(different.filter((o) => o.status === 'inserted')).toHaveLength(1);
      const conflicts = different.filter((o) => o.status === 'conflict');
      expect(conflicts).toHaveLength(15);
      const winner = (await p.getVersion('race', '2.0.0'))!;
      for (const c of conflicts) expect(c.status === 'conflict' && c.existing.digest).toBe(winner.digest);
    });

    test('download counts accumulate per package; unknown packages count 0', async () => {
      const p = await fresh();
      await p.addDownloads('a', 3);
      await p.addDownloads('a', 4);
      await p.addDownloads('b', 1);
      await p.addDownloads('c', 0);
      const counts = await p.getDownloads(['a', 'b', 'c', 'never']);
      expect(counts.get('a')).toBe(7);
      expect(counts.get('b')).toBe(1);
      expect(counts.get('c') ?? 0).toBe(0);
      expect(counts.get('never') ?? 0).toBe(0);
      expect((await p.getDownloads([])).size).toBe(0);
    });

    test('concurrent addDownloads lose no increment', async () => {
      const p = await fresh();
      await Promise.all(Array.from({ length: 50 }, () => p.addDownloads('hot', 2)));
      expect((await p.getDownloads(['hot'])).get('hot')).toBe(100);
    });

    test('refuses malformed records and counts with E_INVALID_ARGUMENT, storing nothing', async () => {
      const p = await fresh();
      const good = sampleRecord('a', '1.0.0');
      const bad: Array<Partial<VersionRecord>> = [
        { ...good, digest: 'sha256:nothex' as Digest },
        { ...good, name: '' },
        { ...good, size: -1 },
        { ...good, size: 1.5 },
        { ...good, publishedAt: 'yesterday' },
        { ...good, metadata: null as unknown as VersionRecord['metadata'] },
      ];
      for (const record of bad) {
        const err = await p.insertVersion(record as VersionRecord).then(() => undefined, (e: unknown) => e);
        expect(err, JSON.stringify(record)).toBeInstanceOf(RegistryError);
        expect((err as RegistryError).code).toBe('E_INVALID_ARGUMENT');
      }
      expect(await p.listPackageNames()).toEqual([]);
      for (const count of [-1, 0.5, Number.NaN]) {
        const err = await p.addDownloads('a', count).then(() => undefined, (e: unknown) => e);
        expect((err as RegistryError | undefined)?.code).toBe('E_INVALID_ARGUMENT');
      }
    });

    test('close() may be called twice', async () => {
      const p = await fresh();
      await p.close?.();
      await p.close?.();
    });

    needs('persistent', caps.persistent && options.reopen !== undefined, 'data survives close() and reopen', async () => {
      const p = await fresh();
      const record = sampleRecord('kept', '1.0.0', 'kept', { 'x-extra': [1, { deep: 'yes' }] });
      await p.insertVersion(record);
      await p.addDownloads('kept', 9);
      await p.close?.();
      const q = await another(p);
      expect(await q.getVersion('kept', '1.0.0')).toEqual(record);
      expect((await q.getDownloads(['kept'])).get('kept')).toBe(9);
      expect(await q.insertVersion(sampleRecord('kept', '1.0.0', 'other'))).toMatchObject({ status: 'conflict' });
    });

    needs('multiProcess', caps.multiProcess && options.reopen !== undefined, 'two open handles see each other and race safely', async () => {
      const p = await fresh();
      const q = await another(p);
      await p.insertVersion(sampleRecord('shared', '1.0.0'));
      expect(await q.getVersion('shared', '1.0.0')).toEqual(sampleRecord('shared', '1.0.0'));
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? p : q).insertVersion(sampleRecord('shared', '2.0.0', `b${i}`))),
      );
      expect(outcomes.filter((o) => o.status === 'inserted')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'conflict')).toHaveLength(11);
      await Promise.all([p.addDownloads('shared', 1), q.addDownloads('shared', 2)]);
      expect((await p.getDownloads(['shared'])).get('shared')).toBe(3);
    });

    needs('changesSince with multiProcess', hasChangeFeed && caps.multiProcess && options.reopen !== undefined, 'changesSince on one handle reports what another handle inserted and deleted', async () => {
      const p = await fresh();
      const q = await another(p);
      await q.insertVersion(sampleRecord('theirs', '1.0.0'));
      const start = await p.changesSince!();
      // Asked once with nothing new, so a provider that remembers the answer must notice q's write.
      expect(await p.changesSince!(start.cursor)).toMatchObject({ names: [], complete: true });
      await q.insertVersion(sampleRecord('new-elsewhere', '1.0.0'));
      await q.deleteVersion('theirs', '1.0.0');
      const seen = await p.changesSince!(start.cursor);
      expect(seen.complete).toBe(true);
      expect([...seen.names].sort()).toEqual(['new-elsewhere', 'theirs']);
      expect(await p.changesSince!(seen.cursor)).toMatchObject({ names: [], complete: true });
      await q.insertVersion(sampleRecord('theirs', '2.0.0'));
      expect(await p.changesSince!(seen.cursor)).toMatchObject({ names: ['theirs'], complete: true });
    });

    declareDocumentCases({
      cases,
      present: hasDocuments,
      fresh,
      ...(caps.multiProcess && options.reopen !== undefined ? { another } : {}),
    });
  });
}
