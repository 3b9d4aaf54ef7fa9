/**
 * Child process for the crash and concurrency tests: real registry work in its own OS process.
 *   loop <store> <zip>...      publish and delete at random, forever (until killed)
 *   publish <store> <zip>...   publish each file in order; one JSON line per outcome on stdout
 */
import { openRegistry } from '../../providers/index.js';
import { isRegistryError } from '../../src/errors.js';

const [mode, store, ...files] = process.argv.slice(2);

function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

const registry = await openRegistry({ path: store!, actor: `child-${process.pid}` });
if (mode === 'loop') {
  report({ started: true });
  for (;;) {
    const file = files[Math.floor(Math.random() * files.length)]!;
    try {
      if (Math.random() < 0.6) {
        await registry.publishPackage(file);
      } else {
        const r = await registry.getPackageInfo(file.split('/').at(-1)!.split('--')[0]!).catch(() => undefined);
        if (r) await registry.deletePackage(r.name, Math.random() < 0.5 ? r.version : undefined);
      }
    } catch (err) {
      // E_VERSION_EXISTS and not-found races are expected here; anything else is a failure.
      if (!isRegistryError(err) || !['E_VERSION_EXISTS', 'E_VERSION_NOT_FOUND', 'E_PACKAGE_NOT_FOUND'].includes(err.code)) {
        report({ unexpected: String(err) });
        process.exit(3);
      }
    }
  }
} else if (mode === 'publish') {
  for (const file of files) {
    try {
      const r = await registry.publishPackage(file);
      report({ file, ok: true, name: r.name, version: r.version, status: r.status });
    } catch (err) {
      report({ file, ok: false, code: isRegistryError(err) ? err.code : 'UNCODED', message: String(err) });
    }
  }
  await registry.close();
} else {
  report({ unexpected: `unknown mode ${String(mode)}` });
  process.exitCode = 2;
}
