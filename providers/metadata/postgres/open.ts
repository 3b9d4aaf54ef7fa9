/**
 * Opening the store: the first connection (which is where bad credentials, an unknown database or
 * a TLS problem show), the server check (PostgreSQL 13+ for the snapshot functions of the change
 * feed, a UTF8 database for code point order), then the migrations.
 */
import { RegistryError } from '../../../src/errors.js';
import type { Connection } from './connection.js';
import { migrationLockKey } from './locks.js';
import { migrate, type PostgresMigration } from './migrations.js';

export const MIN_SERVER_VERSION_NUM = 130000;

export async function openSchema(conn: Connection, schema: string, target: string, migrations: readonly PostgresMigration[] | undefined, create: boolean): Promise<void> {
  await conn.withClient('open the database', async (client) => {
    let server: { version: number; encoding: string };
    try {
      const { rows } = await client.query<{ version: number; encoding: string }>(
        `SELECT current_setting('server_version_num')::int AS version, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()`,
      );
      server = rows[0]!;
    } catch (err) {
      throw conn.fail(err, 'read the server version');
    }
    if (server.version < MIN_SERVER_VERSION_NUM || server.encoding !== 'UTF8') {
      throw new RegistryError(
        'E_META_SERVER_UNSUPPORTED',
        `metadata database ${target} is PostgreSQL ${Math.floor(server.version / 10000)} with encoding ${server.encoding}; pakt needs PostgreSQL 13 or later and a UTF8 database`,
        { database: target, found: { serverVersionNum: server.version, encoding: server.encoding } },
      );
    }
    try {
      await migrate(client, { name: schema, target, migrationLock: migrationLockKey(schema) }, migrations, create);
    } catch (err) {
      throw conn.fail(err, `migrate schema ${schema}`);
    }
  });
}
