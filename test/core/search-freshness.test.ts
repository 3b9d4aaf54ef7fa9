/**
 * Search follows what other processes write to the same store. Two openRegistry calls on one
 * store are two SQLite connections, as two processes would have; one case runs a real child
 * process. Each registry builds its index once and must then learn of the other's publishes and
 * deletes through the metadata's change feed (src/core/search-freshness.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataProvider, SearchProvider } from '../../src/contracts/index.js';
import { CoreRegistryManager } from '../../src/core/registry-manager.js';
import { CHANGES_KEPT, CHANGES_PRUNED_EVERY } from '../../providers/metadata/sqlite-migrations.js';
import { defaultProviders, METADATA_FILE } from '../../providers/index.js';
import { bundleValidatingChild, runChild, type ChildBundle } from '../util/child-bundle.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
const registries: CoreRegistryManager[] = [];
beforeEach(() => {
  t = tempStore();
});
afterEach(async () => {
  for (const r of registries.splice(0)) await r.close();
  t.cleanup();
});

async function open(): Promise<CoreRegistryManager> {
  const r = await t.open({ audit: false });
  registries.push(r);
  return r;
}

/** A registry on the store whose metadata and search providers are replaced by `wrap`'s. */
function openWrapped(wrap: { metadata?: (m: MetadataProvider) => MetadataProvider; search?: (s: SearchProvider) => SearchProvider }): CoreRegistryManager {
  const p = defaultProviders({ path: t.store, fsync: false, audit: false });
  const r = new CoreRegistryManager({
    ...p,
    metadata: wrap.metadata ? wrap.metadata(p.metadata) : p.metadata,
    search: wrap.search ? wrap.search(p.search) : p.search,
  });
  registries.push(r);
  return r;
}

/** What a search finds, as name@version. Search is typo-tolerant, so a query may also bring near names. */
async function found(r: CoreRegistryManager, query: string): Promise<string[]> {
  return (await r.searchPackages(query)).items.map((i) => `${i.name}@${i.version}`);
}

/** The package a search for its exact name ranks first, as name@version; undefined when none matches it. */
async function top(r: CoreRegistryManager, name: string): Promise<string | undefined> {
  const first = (await r.searchPackages(name)).items[0];
  return first?.exact ? `${first.name}@${first.version}` : undefined;
}

async function publish(r: CoreRegistryManager, name: string, version: string, description?: string): Promise<void> {
  await r.publishPackage((await t.pkg(name, version, description === undefined ? {} : { description })).file);
}

describe('search follows writes made through another connection', () => {
  it('sees packages another registry published, and forgets those it deleted', async () => {
    const a = await open();
    await publish(a, 'alpha-widget', '1.0.0');
    expect(await top(a, 'alpha-widget')).toBe('alpha-widget@1.0.0');

    const b = await open();
    await publish(b, 'zulu-gadget', '1.0.0');
    expect(await top(b, 'zulu-gadget')).toBe('zulu-gadget@1.0.0');
    expect(await top(a, 'zulu-gadget')).toBe('zulu-gadget@1.0.0');

    await b.deletePackage('alpha-widget');
    expect(await found(a, 'alpha-widget')).not.toContain('alpha-widget@1.0.0');
    expect(await found(b, 'alpha-widget')).not.toContain('alpha-widget@1.0.0');
    // a's own writes still reach b.
    await a.deletePackage('zulu-gadget');
    expect(await found(b, 'zulu-gadget')).not.toContain('zulu-gadget@1.0.0');
  });

  it("a search document follows the other registry's versions: latest moves up and back, and its fields with it", async () => {
    const a = await open();
    await publish(a, 'moving-target', '1.0.0', 'first words');
    expect(await top(a, 'moving-target')).toBe('moving-target@1.0.0');

    const b = await open();
    await publish(b, 'moving-target', '2.0.0', 'second words');
    expect(await top(a, 'moving-target')).toBe('moving-target@2.0.0');
    expect((await a.searchPackages('moving-target')).items[0]?.description).toBe('second words');

    await b.deletePackage('moving-target', '2.0.0');
    expect(await top(a, 'moving-target')).toBe('moving-target@1.0.0');
    expect((await a.searchPackages('moving-target')).items[0]?.description).toBe('first words');
  });

  it('a publish landing while the index is first built is not missed (the feed position is taken before)', async () => {
    const b = await open();
    await publish(b, 'early-bird', '1.0.0');
    const late = await t.pkg('late-comer', '1.0.0');
    let published = false;
    // The build reads every version, and only then does b publish: the build cannot contain it.
    const a = openWrapped({
      metadata: (m) =>
        new Proxy(m, {
          get(target, prop, receiver) {
            if (prop !== 'allVersions') return Reflect.get(target, prop, receiver) as unknown;
            return async function* () {
              yield* target.allVersions();
              if (!published) {
                published = true;
                await b.publishPackage(late.file);
              }
            };
          },
        }),
    });
    expect(await top(a, 'early-bird')).toBe('early-bird@1.0.0');
    expect(published).toBe(true);
    expect(await top(a, 'late-comer')).toBe('late-comer@1.0.0');
  });

  it('searches arriving together apply a change once', async () => {
    const synced: string[] = [];
    const a = openWrapped({
      metadata: (m) =>
        new Proxy(m, {
          get(target, prop, receiver) {
            // syncSearchEntry reads one package's download count; the initial build reads them in batches.
            if (prop !== 'getDownloads') return Reflect.get(target, prop, receiver) as unknown;
            return (names: readonly string[]) => {
              if (names.length === 1) synced.push(names[0]!);
              return target.getDownloads(names);
            };
          },
        }),
    });
    await a.open();
    const b = await open();
    await publish(b, 'twice-asked', '1.0.0');
    const [one, two] = await Promise.all([top(a, 'twice-asked'), top(a, 'twice-asked')]);
    expect(one).toBe('twice-asked@1.0.0');
    expect(two).toBe('twice-asked@1.0.0');
    expect(synced).toEqual(['twice-asked']);
  });
});

describe('a metadata provider without changesSince', () => {
  it("search works as before the feed: this registry's own writes only", async () => {
    const a = openWrapped({
      metadata: (m) =>
        new Proxy(m, {
          get: (target, prop, receiver) => (prop === 'changesSince' ? undefined : (Reflect.get(target, prop, receiver) as unknown)),
        }),
    });
    expect(a.resolveContext.metadata.changesSince).toBeUndefined();
    await publish(a, 'own-package', '1.0.0');
    expect(await top(a, 'own-package')).toBe('own-package@1.0.0');
    await publish(await open(), 'elsewhere', '1.0.0');
    // Without a feed there is nothing to learn this from (the limitation the feed removes).
    expect(await found(a, 'elsewhere')).not.toContain('elsewhere@1.0.0');
    await a.deletePackage('own-package');
    expect(await found(a, 'own-package')).not.toContain('own-package@1.0.0');
  });
});

describe('when the feed no longer reaches back to where the index is', () => {
  /** b's changes, then more than the feed keeps from a third connection: a's cursor falls off it. */
  async function fallBehind(b: CoreRegistryManager): Promise<void> {
    await b.deletePackage('kept-then-deleted');
    await publish(b, 'after-the-flood', '1.0.0');
    const raw = new Database(path.join(t.store, METADATA_FILE));
    try {
      const insert = raw.prepare("INSERT INTO versions (name, version, digest, size, published_at, metadata) VALUES (?, '1.0.0', ?, 1, '2026-01-01T00:00:00.000Z', '{}')");
      raw.transaction(() => {
        for (let i = 0; i < (CHANGES_KEPT + CHANGES_PRUNED_EVERY) / 2; i++) insert.run(`flood-${i}`, `sha256:${'0'.repeat(64)}`);
        raw.prepare("DELETE FROM versions WHERE name LIKE 'flood-%'").run();
      })();
    } finally {
      raw.close();
    }
  }

  it('the index is rebuilt whole, and search answers right', async () => {
    const a = await open();
    await publish(a, 'kept-then-deleted', '1.0.0');
    await publish(a, 'stays-put', '1.0.0');
    expect(await top(a, 'kept-then-deleted')).toBe('kept-then-deleted@1.0.0');
    await fallBehind(await open());
    expect(await top(a, 'after-the-flood')).toBe('after-the-flood@1.0.0');
    expect(await found(a, 'kept-then-deleted')).not.toContain('kept-then-deleted@1.0.0');
    expect(await top(a, 'stays-put')).toBe('stays-put@1.0.0');
    expect(await found(a, 'flood-7')).not.toContain('flood-7@1.0.0');
    // And it follows on from there.
    await publish(await open(), 'after-the-rebuild', '1.0.0');
    expect(await top(a, 'after-the-rebuild')).toBe('after-the-rebuild@1.0.0');
  });

  it('a persistent index that already has documents is rebuilt too', async () => {
    const a = openWrapped({
      search: (s) =>
        new Proxy(s, {
          get(target, prop, receiver) {
            if (prop === 'capabilities') return { ...target.capabilities, persistent: true };
            return Reflect.get(target, prop, receiver) as unknown;
          },
        }),
    });
    await publish(a, 'kept-then-deleted', '1.0.0');
    expect(await top(a, 'kept-then-deleted')).toBe('kept-then-deleted@1.0.0');
    await fallBehind(await open());
    expect(await top(a, 'after-the-flood')).toBe('after-the-flood@1.0.0');
    expect(await found(a, 'kept-then-deleted')).not.toContain('kept-then-deleted@1.0.0');
  });
});

describe('search follows another OS process', () => {
  let child: ChildBundle;
  beforeAll(async () => {
    child = await bundleValidatingChild('test/core/search-freshness.child.ts');
  }, 120_000);
  afterAll(async () => {
    await child?.dispose();
  });

  it('a package a child process publishes, then deletes, appears and disappears in this process', async () => {
    const a = await open();
    await publish(a, 'host-own', '1.0.0');
    expect(await top(a, 'host-own')).toBe('host-own@1.0.0');

    const zip = await t.pkg('from-the-cli', '1.0.0');
    const published = await runChild(child.file, ['publish', t.store, zip.file]);
    expect(JSON.parse(published.stdout.trim()), published.stderr).toEqual({ ok: true, name: 'from-the-cli', version: '1.0.0', status: 'published' });
    expect(await top(a, 'from-the-cli')).toBe('from-the-cli@1.0.0');

    const deleted = await runChild(child.file, ['delete', t.store, 'host-own']);
    expect(JSON.parse(deleted.stdout.trim()), deleted.stderr).toEqual({ ok: true, deleted: ['host-own@1.0.0'] });
    expect(await found(a, 'host-own')).not.toContain('host-own@1.0.0');
  });
});
