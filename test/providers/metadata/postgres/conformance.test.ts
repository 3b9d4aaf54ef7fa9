/**
 * The metadata conformance suite, unchanged, against a real PostgreSQL server: each case gets a
 * schema of its own, and the multi-process cases a second pool on it (reopen).
 */
import { afterAll, describe, it } from 'vitest';
import { createPostgresMetadata, type PostgresMetadataProvider } from '../../../../providers/metadata/postgres/index.js';
import { describeMetadataConformance } from '../../../conformance/metadata.suite.js';
import { freshSchemaName, postgresUnavailable, startPostgres } from '../../../helpers/postgres-server.js';

const unavailable = postgresUnavailable();

if (unavailable) {
  describe('metadata conformance: postgres', () => {
    it.skip(unavailable, () => undefined);
  });
} else {
  const server = await startPostgres({ durable: false });
  afterAll(() => server.destroy());
  const open = (schema: string) => createPostgresMetadata({ url: server.url(), schema, poolSize: 4 });
  await describeMetadataConformance<PostgresMetadataProvider>({
    name: 'postgres',
    create: () => open(freshSchemaName()),
    reopen: (previous) => open(previous.schema),
    cleanup: async (p) => {
      await server.sql(`DROP SCHEMA IF EXISTS "${p.schema}" CASCADE`);
    },
  });
}
