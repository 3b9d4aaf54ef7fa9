/**
 * Writers killed with SIGKILL at random moments, on real PostgreSQL: every write a killed process
 * had seen acknowledged is there (with its documents), nothing half-written is, and whatever it
 * held (a transaction, a blob removal's lock) was released by the server with its connection, so
 * the next process neither waits nor fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresMetadata } from '../../../../providers/metadata/postgres/index.js';
import { digestOfBytes } from '../../../../src/util/digest.js';
import { sampleRecord } from '../../../conformance/metadata.suite.js';
import { freshSchemaName, postgresUnavailable, startPostgres, type PostgresServer } from '../../../helpers/postgres-server.js';
import { bundleChild, killAtRandomAfterFirstLine, type ChildBundle } from '../../../util/child-bundle.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`postgres metadata: writers killed at random${unavailable ? ` (${unavailable})` : ''}`, () => {
  let server: PostgresServer;
  let child: ChildBundle;
  beforeAll(async () => {
    server = await startPostgres({ durable: true });
    child = await bundleChild('test/providers/metadata/postgres/writer.child.ts');
  });
  afterAll(async () => {
    server?.destroy();
    await child?.dispose();
  });

  it('leave every acknowledged write, no partial one, and no lock behind', async () => {
    const schema = freshSchemaName('crash');
    // Migrated once up front, so every child starts writing at once.
    await (await createPostgresMetadata({ url: server.url(), schema })).close();
    const inserted = new Map<string, string>();
    const deleted = new Set<string>();
    /** Deletes started but not acknowledged: either outcome is right, as long as it is whole. */
    const inDoubt = new Set<string>();
    for (let round = 0; round < 6; round++) {
      const out = await killAtRandomAfterFirstLine(child.file, ['write-forever', server.url(), schema, String(round)], 250);
      for (const line of out.split('\n')) {
        if (!line.endsWith('}')) continue;
        const w = JSON.parse(line) as { inserted?: string; deleting?: string; deleted?: string };
        if (w.inserted) inserted.set(`crash-${round}@${w.inserted}`, w.inserted);
        if (w.deleting) inDoubt.add(`crash-${round}@${w.deleting}`);
        if (w.deleted) {
          inDoubt.delete(`crash-${round}@${w.deleted}`);
          deleted.add(`crash-${round}@${w.deleted}`);
        }
      }
    }
    expect(inserted.size).toBeGreaterThanOrEqual(6);
    // The server has dropped the killed sessions, and with them their locks.
    for (let i = 0; i < 100; i++) {
      const [row] = await server.sql<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pakt'`);
      if (Number(row!.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await server.sql(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`)).toEqual([]);

    const m = await createPostgresMetadata({ url: server.url(), schema });
    const docs = m.documents!;
    for (const key of inserted.keys()) {
      const [name, version] = key.split('@') as [string, string];
      const row = await m.getVersion(name, version);
      if (deleted.has(key) || (inDoubt.has(key) && row === undefined)) {
        expect(row, key).toBeUndefined();
        expect(await docs.get('tombstone', key), key).toBeDefined();
      } else {
        expect(row?.digest, key).toBe(digestOfBytes(key));
        expect(await docs.get('signature', key), key).toBeDefined();
        expect(await docs.get('tombstone', key), key).toBeUndefined();
      }
    }
    // Whatever a killed process wrote is whole: every version has its signature document.
    for await (const r of m.allVersions()) expect(await docs.get('signature', `${r.name}@${r.version}`), `${r.name}@${r.version}`).toBeDefined();
    // Nothing is held: a removal and an insert of one digest go through at once.
    const record = sampleRecord('after-crash', '1.0.0');
    expect(await m.removeIfUnreferenced!(record.digest, async () => true)).toBe(true);
    expect(await m.insertVersion(record)).toEqual({ status: 'inserted' });
    await m.close();
  });
});
