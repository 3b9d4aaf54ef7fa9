/**
 * Child process for fs-cas tests that need a separate OS process: run as another user (to meet
 * real permission errors even when the tests run as root), or killed mid-write (a real crash).
 * Prints one JSON line per result on stdout.
 *   put <root> <source>            store <source> (run as another user, or under a file size limit)
 *   put-bytes <root> <source>      read <source> and store it with putBytes (under a file size limit)
 *   intake-forever <dir>           stream endless bytes into a temp file in <dir> until killed
 *   store-forever <root>           intake + put random blobs one after another until killed,
 *                                  printing {stored: digest} after each put resolves
 *   put-bytes-forever <root>       putBytes the blobs of fs-cas-blobs.ts, from number 0 on, until
 *                                  killed, printing {stored: digest} after each resolves
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { createFsStorage } from '../../../providers/storage/fs-cas.js';
import { isRegistryError } from '../../../src/errors.js';
import { digestOfBytes } from '../../../src/util/digest.js';
import { writeStreamToTempFile } from '../../../src/util/write-stream-to-temp.js';
import { seriesBlob } from './fs-cas-blobs.js';

const [mode, a, b] = process.argv.slice(2);

// Under `prlimit --fsize` the kernel would kill us with SIGXFSZ instead of failing the write.
process.on('SIGXFSZ', () => undefined);

function report(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function describeError(err: unknown): unknown {
  return isRegistryError(err)
    ? { code: err.code, message: err.message, causeCode: (err.cause as NodeJS.ErrnoException | undefined)?.code }
    : { raw: String(err), code: (err as NodeJS.ErrnoException).code };
}

if (mode === 'put') {
  try {
    const storage = createFsStorage({ root: a! });
    const bytes = await readFile(b!);
    await storage.put(digestOfBytes(bytes), bytes.length, b!);
    report({ ok: true });
  } catch (err) {
    report({ ok: false, error: describeError(err) });
  }
} else if (mode === 'put-bytes') {
  try {
    const storage = createFsStorage({ root: a! });
    const bytes = await readFile(b!);
    await storage.putBytes(digestOfBytes(bytes), bytes);
    report({ ok: true });
  } catch (err) {
    report({ ok: false, error: describeError(err) });
  }
} else if (mode === 'intake-forever') {
  const endless = new Readable({
    read() {
      setTimeout(() => this.push(Buffer.alloc(64 * 1024, 7)), 5);
    },
  });
  let announced = false;
  endless.on('data', () => {
    if (!announced) {
      announced = true;
      // Give the first chunk time to reach the file, then tell the parent to kill us.
      setTimeout(() => report({ writing: true }), 50);
    }
  });
  await writeStreamToTempFile(endless, a!);
} else if (mode === 'store-forever') {
  const storage = createFsStorage({ root: a! });
  for (;;) {
    const bytes = randomBytes(1 + Math.floor(Math.random() * 300_000));
    const temp = await writeStreamToTempFile(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), storage.tempDir);
    await storage.put(temp.digest, temp.size, temp.path);
    report({ stored: temp.digest });
  }
} else if (mode === 'put-bytes-forever') {
  const storage = createFsStorage({ root: a! });
  for (let i = 0; ; i++) {
    const bytes = seriesBlob(i);
    const digest = digestOfBytes(bytes);
    await storage.putBytes(digest, bytes);
    report({ stored: digest });
  }
} else {
  report({ ok: false, error: { raw: `unknown mode ${String(mode)}` } });
  process.exitCode = 2;
}
