/**
 * The SQLite store's change feed (changesSince): reads the `changes` table that migration 2's
 * triggers fill, one row per version inserted or deleted, from any connection or process.
 *
 * The manager asks before every search, and almost always nothing has changed, so that answer
 * must not query. `PRAGMA data_version` changes exactly when another connection has committed
 * since this one last asked; this connection's own commits it does not see, so the provider calls
 * noteOwnWrite() after each of them. Unchanged data version, no own write, and the cursor we last
 * answered with: nothing can have changed, and the answer is made without touching a table.
 *
 * A cursor is the decimal `seq` of the last change it covers ("0": before the first change).
 */
import type { Database } from 'better-sqlite3';
import type { MetadataChanges } from '../../src/contracts/index.js';
import { parseChangeCursor } from './record-check.js';

export interface SqliteChangeFeed {
  /** Synchronous: the provider runs it inside its retrying, error-mapping run(). */
  since(cursor: string | undefined): MetadataChanges;
  /** Call after this connection committed a write to `versions` (data_version misses those). */
  noteOwnWrite(): void;
}

export function createChangeFeed(db: Database, path: string): SqliteChangeFeed {
  const sql = {
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    // Pruning never removes the newest row, so the highest seq kept is the last one given.
    head: db.prepare('SELECT max(seq) FROM changes').pluck(),
    oldest: db.prepare('SELECT min(seq) FROM changes').pluck(),
    names: db.prepare('SELECT DISTINCT name FROM changes WHERE seq > ? AND seq <= ?').pluck(),
  };
  const readHead = (): number => (sql.head.get() as number | null) ?? 0;

  /** One read transaction, so the head, the oldest kept and the names come from one snapshot. */
  const read = db.transaction((from: number): MetadataChanges => {
    const head = readHead();
    const oldest = (sql.oldest.get() as number | null) ?? head + 1;
    // Complete when every change after `from` is still kept; a cursor beyond the head comes from
    // a store that was replaced (restored from a backup, say).
    if (from < oldest - 1 || from > head) return { cursor: String(head), names: [], complete: false };
    return { cursor: String(head), names: sql.names.all(from, head) as string[], complete: true };
  });

  /** What the last query answered, and the data version read just before it. */
  let answered: { cursor: string; dataVersion: number } | undefined;
  let ownWrite = false;

  return {
    since(cursor) {
      if (cursor === undefined) return { cursor: String(readHead()), names: [], complete: true };
      const from = parseChangeCursor(cursor, `the metadata database ${path}`);
      // Read before the query: a commit landing in between is in the answer and also moves the
      // data version, which costs one extra query next time, never a missed change.
      const dataVersion = sql.dataVersion.get() as number;
      if (!ownWrite && answered?.cursor === cursor && answered.dataVersion === dataVersion) {
        return { cursor, names: [], complete: true };
      }
      const answer = read.deferred(from);
      // Cleared only once the read succeeded; nothing of ours can commit during the synchronous read.
      ownWrite = false;
      answered = { cursor: answer.cursor, dataVersion };
      return answer;
    },
    noteOwnWrite() {
      ownWrite = true;
    },
  };
}
