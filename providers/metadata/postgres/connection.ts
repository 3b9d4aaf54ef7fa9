/**
 * The pool and the one way statements are run: every failure mapped to a code (errors.ts), and
 * retried where a retry cannot apply anything twice.
 *
 * - Getting a connection is retried with backoff until connectTimeoutMs: nothing was sent yet, so
 *   a server that is restarting is waited for instead of failing every operation in the meantime.
 * - A serialization failure or a deadlock is retried (the server rolled the transaction back).
 * - A read that lost its connection is retried on a new one (reads apply nothing).
 * - A write that lost its connection after it was sent is not retried: whether it was applied is
 *   unknown, so the caller gets E_META_UNAVAILABLE saying so, and decides.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { RegistryError } from '../../../src/errors.js';
import { classify, toMetaError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export type Params = ReadonlyArray<unknown>;

export interface Connection {
  /** Runs one statement; `write` marks statements that change data (see the header). */
  query<R extends pg.QueryResultRow>(what: string, sql: string, params: Params, write: boolean): Promise<R[]>;
  /**
   * Holds one connection for `work` (a transaction spanning awaits). If `work` fails, the
   * connection is destroyed, never handed back to the pool, so a session-level state (an open or
   * aborted transaction, a lock) cannot leak to another caller.
   */
  withClient<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Maps `err` raised while doing `what`. */
  fail(err: unknown, what: string, writeInDoubt?: boolean): RegistryError;
  close(): Promise<void>;
  readonly closed: boolean;
}

const SERIALIZATION_RETRIES = 8;

export function createConnection(options: ResolvedOptions): Connection {
  const pool = new pg.Pool({
    connectionString: options.url,
    ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    max: options.poolSize,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName,
    keepAlive: true,
  });
  // An idle connection the server closes (restart, idle timeout) raises here; without a listener
  // the process would crash. The pool has already dropped that connection, and the next caller
  // gets a new one, so there is nothing to do and nobody to tell.
  pool.on('error', () => undefined);
  let closed = false;
  const ctx = (what: string, writeInDoubt = false) => ({ target: options.target, what, secrets: options.secrets, writeInDoubt });
  const fail = (err: unknown, what: string, writeInDoubt = false): RegistryError => toMetaError(err, ctx(what, writeInDoubt));
  const assertOpen = (what: string): void => {
    if (closed) throw new RegistryError('E_CLOSED', `metadata database ${options.target} was used after close() (${what})`);
  };

  /** A connection, retrying while the server cannot give one, until connectTimeoutMs. */
  async function acquire(what: string, deadline: number): Promise<pg.PoolClient> {
    for (let attempt = 0; ; attempt++) {
      assertOpen(what);
      try {
        return await pool.connect();
      } catch (err) {
        if (classify(err) !== 'unavailable' || Date.now() >= deadline || closed) throw fail(err, what);
        await sleep(backoff(attempt, deadline));
      }
    }
  }

  async function query<R extends pg.QueryResultRow>(what: string, sql: string, params: Params, write: boolean): Promise<R[]> {
    const deadline = Date.now() + options.connectTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const client = await acquire(what, deadline);
      // pg emits 'error' on a client whose connection dies even while a query of it is running
      // (the query is rejected as well); a checked-out client has no listener of the pool's.
      let broken: Error | undefined;
      const onError = (err: Error): void => {
        broken = err;
      };
      client.on('error', onError);
      try {
        const result = options.preparedStatements
          ? await client.query<R>({ name: statementName(sql), text: sql, values: params as unknown[] })
          : await client.query<R>(sql, params as unknown[]);
        return result.rows;
      } catch (err) {
        const kind = classify(err);
        if (kind === 'unavailable') broken ??= err instanceof Error ? err : new Error(String(err));
        const retry = (kind === 'retry' && attempt < SERIALIZATION_RETRIES) || (kind === 'unavailable' && !write && Date.now() < deadline && !closed);
        if (!retry) throw fail(err, what, write && kind === 'unavailable');
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
      await sleep(backoff(attempt, deadline));
    }
  }

  async function withClient<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await acquire(what, Date.now() + options.connectTimeoutMs);
    // A checked-out connection has no listener of the pool's: one of ours, or a server going
    // away while `work` awaits something else would crash the process.
    let lost: Error | undefined;
    const onError = (err: Error): void => {
      lost = err;
    };
    client.on('error', onError);
    let failure: unknown;
    try {
      return await work(client);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      client.removeListener('error', onError);
      // After any failure the session's state (an open or aborted transaction, a lock) is not
      // known for sure: the connection goes, and the server ends whatever it held.
      const destroy = lost ?? (failure !== undefined ? asError(failure) : undefined);
      client.release(destroy);
    }
  }

  return {
    query,
    withClient,
    fail,
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * A named statement is parsed and planned once per connection instead of on every call (about
 * 40% of a lookup's time on loopback); the name is a hash of the text, so equal texts share it.
 */
function statementName(sql: string): string {
  return `pakt_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** 20 ms doubling to 500 ms, with jitter, never past the deadline by more than a step. */
function backoff(attempt: number, deadline: number): number {
  const step = Math.min(500, 20 * 2 ** attempt);
  return Math.max(1, Math.min(step / 2 + Math.random() * step / 2, deadline - Date.now()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
