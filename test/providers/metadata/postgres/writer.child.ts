/**
 * A child process writing to PostgreSQL metadata until it is killed (SIGKILL), for
 * crash.test.ts. It prints one JSON line per write the provider acknowledged:
 *
 * write-forever <url> <schema> <index>: rounds of four concurrent inserts of crash-<index>@1.0.<n>
 * (group-committed together, each with a document), then a delete of one of them with a
 * tombstone document (announced before it starts, reported when acknowledged), then a guarded removal of an unreferenced digest whose removal takes 20 ms
 * (so a kill often lands while it holds its lock).
 */
import { createPostgresMetadata } from '../../../../providers/metadata/postgres/index.js';
import { digestOfBytes } from '../../../../src/util/digest.js';

const [mode, url, schema, indexText] = process.argv.slice(2);
const index = Number(indexText);

const record = (name: string, version: string) => ({
  name,
  version,
  digest: digestOfBytes(`${name}@${version}`),
  size: 10,
  publishedAt: new Date().toISOString(),
  metadata: { name, version },
});

async function main(): Promise<void> {
  const meta = await createPostgresMetadata({ url: url!, schema: schema!, poolSize: 4 });
  if (mode !== 'write-forever') throw new Error(`unknown mode ${mode}`);
  const name = `crash-${index}`;
  for (let n = 0; ; n += 4) {
    const versions = [0, 1, 2, 3].map((k) => `1.0.${n + k}`);
    await Promise.all(versions.map(async (v) => {
      await meta.insertVersion(record(name, v), [{ op: 'put', kind: 'signature', key: `${name}@${v}`, value: { n } }]);
      process.stdout.write(`${JSON.stringify({ inserted: v })}\n`);
    }));
    const gone = versions[(n / 4) % 4]!;
    process.stdout.write(`${JSON.stringify({ deleting: gone })}\n`);
    await meta.deleteVersion(name, gone, [{ op: 'put', kind: 'tombstone', key: `${name}@${gone}`, value: {} }]);
    process.stdout.write(`${JSON.stringify({ deleted: gone })}\n`);
    const orphan = digestOfBytes(`orphan-${index}-${n}`);
    await meta.removeIfUnreferenced!(orphan, () => new Promise((resolve) => setTimeout(() => resolve(true), 20)));
    process.stdout.write(`${JSON.stringify({ removed: orphan })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
