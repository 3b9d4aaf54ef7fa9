/**
 * Child process for sqlite.test.ts. Prints one JSON line: the outcomes, or the coded error.
 *
 * race <db> <index> <rounds>: one of several processes racing on one store. Inserts, interleaved:
 *   shared@1.0.<r>   the same digest from every process      → one 'inserted', the rest 'unchanged'
 *   contested@1.0.<r> a digest of its own                    → one 'inserted', the rest 'conflict'
 *   own-<index>@1.0.<r> only this process                     → 'inserted'
 * and adds one download of 'shared' per round.
 *
 * insert-one <db>: one insert (run as another user to meet a database it may not write).
 *
 * insert-forever <db> <index>: inserts crash-<index>@1.0.<n> for n = 0, 1, ... until killed,
 * printing {inserted: version} after each insert resolves.
 *
 * hold-removal <db> <markers>: removeIfUnreferenced of the digest of 'held', whose removal
 * writes <markers>/removing, waits 400 ms, then writes <markers>/removed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteMetadata } from '../../../providers/metadata/sqlite.js';
import { isRegistryError } from '../../../src/errors.js';
import { digestOfBytes } from '../../../src/util/digest.js';

const [mode, path, indexText, roundsText] = process.argv.slice(2);
const index = Number(indexText);
const rounds = Number(roundsText);

const record = (name: string, version: string, seed: string) => ({
  name,
  version,
  digest: digestOfBytes(seed),
  size: seed.length,
  publishedAt: new Date().toISOString(),
  metadata: { name, version, writer: index },
});

try {
  const meta = createSqliteMetadata({ path: path!, busyTimeoutMs: 20_000 });
  if (mode === 'insert-forever') {
    for (let n = 0; ; n++) {
      const v = `1.0.${n}`;
      await meta.insertVersion(record(`crash-${index}`, v, `crash-${index}-${n}`));
      if (n % 3 === 0) await meta.deleteVersion(`crash-${index}`, v);
      process.stdout.write(`${JSON.stringify({ inserted: v, deleted: n % 3 === 0 })}\n`);
    }
  }
  if (mode === 'hold-removal') {
    const markers = indexText!;
    const removed = await meta.removeIfUnreferenced!(digestOfBytes('held'), async () => {
      writeFileSync(join(markers, 'removing'), '');
      await new Promise((resolve) => setTimeout(resolve, 400));
      writeFileSync(join(markers, 'removed'), '');
      return true;
    });
    await meta.close?.();
    process.stdout.write(`${JSON.stringify({ ok: true, removed })}\n`);
    process.exit(0);
  }
  if (mode === 'insert-one') {
    const outcome = await meta.insertVersion(record('solo', '1.0.0', 'solo'));
    process.stdout.write(`${JSON.stringify({ ok: true, outcome })}\n`);
    process.exit(0);
  }
  const outcomes: Record<string, string> = {};
  for (let r = 0; r < rounds; r++) {
    const v = `1.0.${r}`;
    outcomes[`shared@${v}`] = (await meta.insertVersion(record('shared', v, `shared-${r}`))).status;
    outcomes[`contested@${v}`] = (await meta.insertVersion(record('contested', v, `contested-${r}-by-${index}`))).status;
    outcomes[`own-${index}@${v}`] = (await meta.insertVersion(record(`own-${index}`, v, `own-${index}-${r}`))).status;
    await meta.addDownloads('shared', 1);
  }
  await meta.close?.();
  process.stdout.write(`${JSON.stringify({ ok: true, outcomes })}\n`);
} catch (err) {
  const error = isRegistryError(err) ? { code: err.code, message: err.message, sqliteCode: err.details['sqliteCode'] } : { raw: String(err) };
  process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
  process.exitCode = 1;
}
