/**
 * removeIfUnreferenced on PostgreSQL: an advisory lock per digest, held exclusive by the removal
 * and shared by every insert of a version referring to that digest (insert_versions takes it
 * first thing), from any process on the database. Inserts of other digests and every other write
 * go on meanwhile.
 *
 * Why an advisory lock and not a row lock: an unreferenced digest has no row to lock. A row lock
 * would need a blobs table whose row every insert writes (or locks FOR SHARE after an upsert):
 * more WAL per publish for a guard used only by gc and failed publishes. docs/benchmarks.md has
 * the cost of each.
 *
 * The lock is transaction-scoped (pg_advisory_xact_lock), so it also holds behind a transaction
 * pooler (PgBouncer in transaction mode), and ends with the transaction whatever happens to this
 * process. The reference check is a statement of its own after the lock is granted, so its
 * snapshot includes every insert that committed while the lock was awaited.
 *
 * If the connection is lost while `remove` runs, the server has released the lock early: an
 * insert of that digest elsewhere may have slipped in. That is reported (E_META_UNAVAILABLE naming
 * the digest and asking for `pakt verify`), never hidden behind `remove`'s result.
 */
import type { Digest } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import type { Connection } from './connection.js';
import { digestLockKey } from './locks.js';

export function createGuardedRemoval(conn: Connection, schema: string, lockClass: number, target: string) {
  const referenced = `SELECT EXISTS (SELECT 1 FROM ${schema}.versions WHERE digest = $1) AS referenced`;

  return async function removeIfUnreferenced(digest: Digest, remove: () => Promise<boolean>): Promise<boolean> {
    const what = `lock ${digest} for its removal`;
    return conn.withClient(what, async (client) => {
      let lost: Error | undefined;
      const onError = (err: Error): void => {
        lost = err;
      };
      client.on('error', onError);
      try {
        try {
          // Both numbers are ours (int4s), so they are written into the text: one round trip.
          await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${lockClass}, ${digestLockKey(digest)})`);
        } catch (err) {
          // The connection is destroyed after a failure (withClient), which ends the transaction too.
          throw conn.fail(err, what);
        }
        let isReferenced: boolean;
        try {
          const { rows } = await client.query<{ referenced: boolean }>(referenced, [digest]);
          isReferenced = rows[0]!.referenced;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw conn.fail(err, `look up ${digest}`);
        }
        if (isReferenced) {
          await end(client, 'COMMIT', digest);
          return false;
        }
        let outcome: boolean;
        try {
          outcome = await remove();
        } catch (err) {
          await end(client, 'ROLLBACK', digest).catch(() => undefined);
          if (lost) throw lockLost(digest, lost);
          throw err;
        }
        if (lost) throw lockLost(digest, lost);
        await end(client, 'COMMIT', digest);
        return outcome;
      } finally {
        client.removeListener('error', onError);
      }
    });
  };

  async function end(client: { query(sql: string): Promise<unknown> }, how: 'COMMIT' | 'ROLLBACK', digest: Digest): Promise<void> {
    try {
      await client.query(how);
    } catch (err) {
      throw lockLost(digest, err);
    }
  }

  function lockLost(digest: Digest, cause: unknown): RegistryError {
    const mapped = conn.fail(cause, `hold the lock while removing ${digest}`);
    return new RegistryError(
      'E_META_UNAVAILABLE',
      `metadata database ${target}: the connection holding the lock for the removal of ${digest} was lost while the blob was being removed, so an insert of that digest in another process may have slipped past it; retry, and run \`pakt verify\` to check that no version lost its archive (${mapped.message})`,
      { database: target, digest, retryable: true },
      { cause: mapped },
    );
  }
}
