/**
 * Child process for search-freshness.test.ts: another process writing into the store, as the
 * `pakt` CLI would next to a long-running host. Prints one JSON line.
 *   publish <store> <zip>      publishes the archive
 *   delete <store> <name>      deletes every version of the package
 */
import { openRegistry } from '../../providers/index.js';
import { isRegistryError } from '../../src/errors.js';

const [mode, store, arg] = process.argv.slice(2);

try {
  const registry = await openRegistry({ path: store!, fsync: false, create: false, actor: `child-${process.pid}` });
  if (mode === 'publish') {
    const r = await registry.publishPackage(arg!);
    process.stdout.write(`${JSON.stringify({ ok: true, name: r.name, version: r.version, status: r.status })}\n`);
  } else if (mode === 'delete') {
    const deleted = await registry.deletePackage(arg!);
    process.stdout.write(`${JSON.stringify({ ok: true, deleted: deleted.map((d) => `${d.name}@${d.version}`) })}\n`);
  } else {
    throw new Error(`unknown mode ${String(mode)}`);
  }
  await registry.close();
} catch (err) {
  const error = isRegistryError(err) ? { code: err.code, message: err.message } : { raw: String(err) };
  process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
  process.exitCode = 1;
}
