/**
 * Child process that meets a real write failure from the OS: the parent starts it under
 * `prlimit --fsize=<bytes>`, so any write past that size fails with EFBIG, the way a full disk
 * fails with ENOSPC. Prints one JSON line with what happened and what was left in the folder.
 *   intake <dir> <bytes>            writeStreamToTempFile of <bytes> bytes into <dir>
 *   atomic <target> <bytes>         writeFileAtomic of <bytes> bytes over <target>
 */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { isRegistryError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { writeStreamToTempFile } from '../../src/util/write-stream-to-temp.js';

// Without a listener the kernel's SIGXFSZ would kill the process instead of failing the write.
process.on('SIGXFSZ', () => undefined);

const [mode, where, bytesText] = process.argv.slice(2);
const bytes = Number(bytesText);

async function attempt(): Promise<unknown> {
  if (mode === 'intake') {
    const chunk = Buffer.alloc(16 * 1024, 1);
    const chunks = Array.from({ length: Math.ceil(bytes / chunk.length) }, () => chunk);
    return writeStreamToTempFile(Readable.from(chunks), where!);
  }
  if (mode === 'atomic') return writeFileAtomic(where!, Buffer.alloc(bytes, 2));
  throw new Error(`unknown mode ${String(mode)}`);
}

try {
  await attempt();
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (err) {
  const folder = mode === 'intake' ? where! : dirname(where!);
  const error = isRegistryError(err)
    ? { code: err.code, causeCode: (err.cause as NodeJS.ErrnoException | undefined)?.code }
    : { raw: String(err) };
  process.stdout.write(`${JSON.stringify({ ok: false, error, left: (await readdir(folder)).sort() })}\n`);
}
