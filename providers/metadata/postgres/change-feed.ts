/**
 * changesSince on the PostgreSQL store: the `changes` table that migration 2's triggers fill, read
 * by transaction visibility rather than by number (see changeFeedSql for why).
 *
 * A cursor is `pg1.<store id>.<snapshot>`, the snapshot (`xmin:xmax:xip,...`, pg_current_snapshot)
 * under which the last answer was read. The next answer names every change whose transaction that
 * snapshot did not see as finished and the current one does: exactly what happened in between,
 * whichever process wrote it and in whatever order transactions committed. One statement reads
 * the snapshot, the pruning mark and the names together, so they agree.
 *
 * Cost: one round trip per call, also when nothing changed (an index range scan over the changes
 * of transactions that were still running at the last answer: usually none). A LISTEN/NOTIFY
 * signal could answer "nothing new" without a round trip, but a notification arrives after the
 * writer's commit returned, so a search made right after another server acknowledged a publish
 * could miss it; docs/benchmarks.md has the figures of both.
 */
import type { MetadataChanges } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import type { Connection } from './connection.js';

const CURSOR = /^pg1\.([0-9a-f]{32})\.([0-9]{1,20}):([0-9]{1,20}):((?:[0-9]{1,20}(?:,[0-9]{1,20})*)?)$/;

interface ParsedCursor {
  storeId: string;
  snapshot: string;
}

function refuse(cursor: unknown, target: string): RegistryError {
  const shown = typeof cursor === 'string' ? JSON.stringify(cursor.slice(0, 60)) : String(cursor);
  return new RegistryError('E_INVALID_ARGUMENT', `changesSince of metadata database ${target} got cursor ${shown}, which it cannot have returned: pass the cursor of an earlier answer, or none to start`, { found: shown });
}

/** A cursor this provider wrote, or E_INVALID_ARGUMENT; the snapshot's own rules are checked too. */
export function parseCursor(cursor: unknown, target: string): ParsedCursor {
  const m = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  if (!m) throw refuse(cursor, target);
  const xmin = BigInt(m[2]!);
  const xmax = BigInt(m[3]!);
  const running = m[4] === '' ? [] : m[4]!.split(',').map((x) => BigInt(x));
  const sorted = running.every((x, i) => x >= xmin && x < xmax && (i === 0 || x > running[i - 1]!));
  if (xmin > xmax || !sorted || xmax > 2n ** 63n) throw refuse(cursor, target);
  return { storeId: m[1]!, snapshot: `${m[2]}:${m[3]}:${m[4]}` };
}

const formatCursor = (storeId: string, snapshot: string): string => `pg1.${storeId.replace(/-/g, '')}.${snapshot}`;

export interface ChangeFeed {
  since(cursor: string | undefined): Promise<MetadataChanges>;
}

export function createChangeFeed(conn: Connection, schema: string, target: string): ChangeFeed {
  const position = `SELECT pg_current_snapshot()::text AS snapshot, store_id::text AS store_id FROM ${schema}.feed`;
  const read = `
    SELECT pg_current_snapshot()::text AS snapshot,
           f.store_id::text AS store_id,
           (f.pruned_max IS NOT NULL AND f.pruned_max >= pg_snapshot_xmin($1::pg_snapshot)) AS pruned,
           (pg_snapshot_xmax($1::pg_snapshot) > pg_snapshot_xmax(pg_current_snapshot())) AS ahead,
           ARRAY(SELECT DISTINCT c.name FROM ${schema}.changes AS c
                  WHERE c.xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(c.xid, $1::pg_snapshot)) AS names
      FROM ${schema}.feed AS f`;

  async function current(): Promise<{ snapshot: string; storeId: string }> {
    const rows = await conn.query<{ snapshot: string; store_id: string }>('read the change feed position', position, [], false);
    if (rows.length !== 1) throw new RegistryError('E_INTERNAL', `metadata database ${target}: the feed table of schema ${schema} has ${rows.length} rows, not 1`);
    return { snapshot: rows[0]!.snapshot, storeId: rows[0]!.store_id.replace(/-/g, '') };
  }

  return {
    async since(cursor) {
      if (cursor === undefined) {
        const now = await current();
        return { cursor: formatCursor(now.storeId, now.snapshot), names: [], complete: true };
      }
      const from = parseCursor(cursor, target);
      const rows = await conn.query<{ snapshot: string; store_id: string; pruned: boolean; ahead: boolean; names: string[] }>('read the change feed', read, [from.snapshot], false);
      const row = rows[0];
      if (!row) throw new RegistryError('E_INTERNAL', `metadata database ${target}: the feed table of schema ${schema} is empty`);
      const next = formatCursor(row.store_id, row.snapshot);
      // Another store's cursor, one from a store that was replaced (restored from a backup), or
      // one older than the changes still kept: the caller must read the metadata whole again.
      if (from.storeId !== row.store_id.replace(/-/g, '') || row.ahead || row.pruned) return { cursor: next, names: [], complete: false };
      return { cursor: next, names: row.names, complete: true };
    },
  };
}
