import { writeFile, mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../../providers/storage/memory.js';
import { digestOfBytes } from '../../../src/util/digest.js';
import { describeStorageConformance, readBlob } from '../../conformance/storage.suite.js';
import { expectCode } from '../../helpers/expect-code.js';

await describeStorageConformance({
  name: 'memory',
  // Small chunks so the streaming and verification paths see many chunks per blob.
  create: () => createMemoryStorage({ chunkBytes: 4096 }),
  corrupt: (storage, digest, bytes) => storage.simulateCorruption(digest, bytes),
});

describe('memory storage: its own cases', () => {
  it('keeps a quarantined blob with its reason, for inspection', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pakt-mem-'));
    try {
      const s = createMemoryStorage();
      const bytes = Buffer.from('inspect me');
      const digest = digestOfBytes(bytes);
      await writeFile(join(dir, 'src'), bytes);
      await s.put(digest, bytes.length, join(dir, 'src'));
      // put() takes the caller's temp file, as the disk store does.
      await expect(access(join(dir, 'src'))).rejects.toThrow();
      s.simulateCorruption(digest, Buffer.from('inspect mE'));
      expect((await readBlob(s, digest)).error).toMatchObject({ code: 'E_STORE_INTEGRITY' });
      const [q] = s.quarantined();
      expect(q?.digest).toBe(digest);
      expect(q?.reason).toMatch(/verification failed on read: digest differs/);
      expect(q?.bytes.toString()).toBe('inspect mE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing source file gives E_IO with its cause', async () => {
    const s = createMemoryStorage();
    const err = await expectCode(() => s.put(digestOfBytes('x'), 1, '/nonexistent/pakt-source'), 'E_IO');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('refuses a bad chunk size and use after close', async () => {
    await expectCode(() => createMemoryStorage({ chunkBytes: 0 }), 'E_PROVIDER_OPTION');
    const s = createMemoryStorage();
    await s.close?.();
    await expectCode(() => s.stat(digestOfBytes('x')), 'E_CLOSED');
  });
});
