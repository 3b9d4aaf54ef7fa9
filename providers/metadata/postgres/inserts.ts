/**
 * Group commit of version inserts. Inserts asked for while the event loop turns once go to the
 * server together, up to maxBatch at a time, as one call of insert_versions (schema-sql.ts): one
 * round trip and one commit (one WAL flush) for all of them, instead of one each. Each record's
 * outcome is its own: a failed revision check of one record's document writes fails that record
 * alone. A failure of the call itself (a lost connection) fails every record of the batch.
 *
 * Batches do not wait for each other: several may be in flight on separate connections, and the
 * server then shares its WAL flushes between their commits in its own way.
 */
import type { DocumentWrite, InsertOutcome, VersionRecord } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import type { Connection } from './connection.js';
import { writeArrays, type WriteArrays } from './documents.js';
import { conflictFromDetail } from './errors.js';
import { digestLockKey } from './locks.js';
import { toRecord } from './rows.js';

interface Queued {
  record: VersionRecord;
  writes: WriteArrays;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

interface OutcomeRow {
  idx: number;
  status: 'inserted' | 'existing' | 'document-conflict' | 'locked';
  digest: string | null;
  size: string | null;
  published_at: string | null;
  metadata: string | null;
  conflict: string | null;
}

export interface InsertQueue {
  /** Checks `writes` at once (refusing the insert before anything is queued), then queues it. */
  insert(record: VersionRecord, writes: readonly DocumentWrite[] | undefined): Promise<InsertOutcome>;
  /** Resolves when every insert asked for so far has settled. */
  drain(): Promise<void>;
}

export function createInsertQueue(conn: Connection, schema: string, lockClass: number, maxBatch: number): InsertQueue {
  let queued: Queued[] = [];
  const inFlight = new Set<Promise<void>>();
  const sql = `SELECT idx, status, digest, size, published_at, metadata, conflict FROM ${schema}.insert_versions(
    $1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::int, $8::int[], $9::boolean,
    $10::int[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[])`;

  const describe = (batch: readonly Queued[]): string =>
    `insert ${batch[0]!.record.name}@${batch[0]!.record.version}${batch.length > 1 ? ` (with ${batch.length - 1} other version${batch.length > 2 ? 's' : ''} in one transaction)` : ''}`;

  /**
   * Commits `batch`. `wait` false (a batch formed by the queue) only tries each digest's lock;
   * records whose digest is being removed come back 'locked' and are committed again one by one
   * with `wait` true, waiting for the removal.
   */
  async function commit(batch: readonly Queued[], wait: boolean): Promise<void> {
    const p = {
      names: [] as string[], versions: [] as string[], digests: [] as string[], sizes: [] as number[], published: [] as string[], metadatas: [] as string[],
      locks: [] as number[], starts: [] as number[], counts: [] as number[],
      ops: [] as string[], kinds: [] as string[], keys: [] as string[], texts: [] as Array<string | null>, expects: [] as Array<number | null>,
    };
    for (const { record, writes } of batch) {
      p.names.push(record.name);
      p.versions.push(record.version);
      p.digests.push(record.digest);
      p.sizes.push(record.size);
      p.published.push(record.publishedAt);
      p.metadatas.push(JSON.stringify(record.metadata));
      p.locks.push(digestLockKey(record.digest));
      p.starts.push(p.ops.length + 1);
      p.counts.push(writes.ops.length);
      p.ops.push(...writes.ops);
      p.kinds.push(...writes.kinds);
      p.keys.push(...writes.keys);
      p.texts.push(...writes.texts);
      p.expects.push(...writes.expects);
    }
    let rows: OutcomeRow[];
    try {
      rows = await conn.query<OutcomeRow>(describe(batch), sql, [
        p.names, p.versions, p.digests, p.sizes, p.published, p.metadatas, lockClass, p.locks, wait,
        p.starts, p.counts, p.ops, p.kinds, p.keys, p.texts, p.expects,
      ], true);
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    const locked: Queued[] = [];
    batch.forEach((q, i) => {
      const row = rows.find((r) => r.idx === i + 1);
      if (!row) return q.reject(new RegistryError('E_INTERNAL', `insert_versions gave no outcome for ${q.record.name}@${q.record.version}`));
      if (row.status === 'locked') return void locked.push(q);
      if (row.status === 'inserted') return q.resolve({ status: 'inserted' });
      if (row.status === 'document-conflict') return q.reject(conflictFromDetail(row.conflict));
      if (row.digest === null) {
        // Found, then deleted again, five times over: give up rather than loop.
        return q.reject(new RegistryError('E_META_BUSY', `insert ${q.record.name}@${q.record.version} kept meeting a version of that number being deleted; retry`, { retryable: true }));
      }
      const existing = toRecord(row as Parameters<typeof toRecord>[0], q.record.name, q.record.version);
      q.resolve(existing.digest === q.record.digest ? { status: 'unchanged', existing } : { status: 'conflict', existing });
    });
    await Promise.all(locked.map((q) => commit([q], true)));
  }

  function flush(): void {
    const all = queued;
    queued = [];
    for (let i = 0; i < all.length; i += maxBatch) {
      const running: Promise<void> = commit(all.slice(i, i + maxBatch), false).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
  }

  return {
    insert(record, writes) {
      const arrays = writeArrays(writes);
      if (conn.closed) return Promise.reject(new RegistryError('E_CLOSED', `the metadata database was used after close() (insert ${record.name}@${record.version})`));
      return new Promise<InsertOutcome>((resolve, reject) => {
        queued.push({ record, writes: arrays, resolve, reject });
        if (queued.length === 1) setImmediate(flush);
      });
    },
    async drain() {
      if (queued.length > 0) flush();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
