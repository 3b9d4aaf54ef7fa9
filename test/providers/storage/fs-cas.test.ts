import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFsStorage, type FsStorage } from '../../../providers/storage/fs-cas.js';
import { blobPath } from '../../../providers/storage/fs-cas-layout.js';
import type { Digest } from '../../../src/contracts/index.js';
import { digestOfBytes } from '../../../src/util/digest.js';
import { describeStorageConformance, readBlob } from '../../conformance/storage.suite.js';
import { expectCode } from '../../helpers/expect-code.js';
import { seriesBlob } from './fs-cas-blobs.js';
import { bundleChild, killAtRandomAfterFirstLine, runChild, runProcess, type ChildBundle } from '../../util/child-bundle.js';

async function newRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pakt-fscas-'));
}

async function overwrite(path: string, bytes: Uint8Array): Promise<void> {
  await chmod(path, 0o644);
  await writeFile(path, bytes);
}

await describeStorageConformance<FsStorage>({
  name: 'fs-cas',
  create: async () => createFsStorage({ root: await newRoot() }),
  reopen: (previous) => createFsStorage({ root: previous.root }),
  cleanup: (storage) => rm(storage.root, { recursive: true, force: true }),
  corrupt: (storage, digest, bytes) => overwrite(blobPath(storage.root, digest), bytes),
});

/** Every regular file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('fs-cas: its own cases', () => {
  const roots: string[] = [];
  let child: ChildBundle;
  beforeAll(async () => {
    child = await bundleChild('test/providers/storage/fs-cas.child.ts');
  });
  afterAll(async () => {
    await child?.dispose();
  });
  afterEach(async () => {
    for (const root of roots.splice(0)) {
      await chmod(root, 0o755).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    }
  });
  async function store(): Promise<FsStorage> {
    const root = await newRoot();
    roots.push(root);
    return createFsStorage({ root });
  }
  async function put(s: FsStorage, bytes: Buffer): Promise<Digest> {
    const digest = digestOfBytes(bytes);
    const source = join(s.tempDir, `source-${randomBytes(4).toString('hex')}`);
    await writeFile(source, bytes);
    await s.put(digest, bytes.length, source);
    return digest;
  }

  it('lays blobs out as content-v1/sha256/ab/cd/<rest>, read-only, and takes the temp file', async () => {
    const s = await store();
    const digest = await put(s, Buffer.from('hello'));
    const hex = digest.slice(7);
    expect(await filesUnder(s.root)).toEqual([join('content-v1', 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))]);
    expect((await stat(blobPath(s.root, digest))).mode & 0o777).toBe(0o444);
    expect(s.tempDir).toBe(join(s.root, 'tmp'));
  });

  it('a corrupt blob fails with both digests and the path, and lands in quarantine with a note', async () => {
    const s = await store();
    const bytes = randomBytes(3 * 1024 * 1024);
    const digest = await put(s, bytes);
    const path = blobPath(s.root, digest);
    const bad = Buffer.from(bytes);
    bad[2_000_000] = bad[2_000_000]! ^ 1;
    await overwrite(path, bad);

    const read = await readBlob(s, digest);
    const err = read.error as { code: string; message: string; details: Record<string, unknown> };
    expect(err.code).toBe('E_STORE_INTEGRITY');
    expect(err.details.path).toBe(path);
    expect(err.details.expected).toBe(digest);
    expect(err.details.found).toBe(digestOfBytes(bad));
    expect(err.message).toContain(`Wanted: ${digest}`);
    expect(err.message).toContain(`Found:  ${digestOfBytes(bad)}`);

    const quarantined = [];
    for await (const q of s.listQuarantine()) quarantined.push(q);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toMatchObject({ digest, size: bad.length, reason: 'verification failed on read: digest differs' });
    expect(Buffer.compare(await readFile(join(s.root, 'quarantine', quarantined[0]!.file)), bad)).toBe(0);
    const note = JSON.parse(await readFile(join(s.root, 'quarantine', `${quarantined[0]!.file}.json`), 'utf8'));
    expect(note).toMatchObject({ digest, from: relative(s.root, path) });
    expect(await filesUnder(join(s.root, 'content-v1'))).toEqual([]);
  });

  it('a truncated blob is caught (size known from stat, digest at the end)', async () => {
    const s = await store();
    const bytes = randomBytes(100_000);
    const digest = await put(s, bytes);
    await overwrite(blobPath(s.root, digest), bytes.subarray(0, 50_000));
    const read = await readBlob(s, digest);
    expect(read.error).toMatchObject({ code: 'E_STORE_INTEGRITY', details: { foundSize: 50_000, expected: digest } });
    expect(await s.stat(digest)).toBeUndefined();
  });

  it('a missing blob is E_STORE_BLOB_MISSING naming the path; the raw ENOENT is only the cause', async () => {
    const s = await store();
    const digest = digestOfBytes('absent');
    const err = await expectCode(() => s.get(digest), 'E_STORE_BLOB_MISSING');
    expect(err.details.path).toBe(blobPath(s.root, digest));
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a wrong-size put is refused and leaves nothing in the store', async () => {
    const s = await store();
    const bytes = Buffer.from('exactly twenty bytes');
    const source = join(s.tempDir, 'caller-temp');
    await writeFile(source, bytes);
    const err = await expectCode(() => s.put(digestOfBytes(bytes), 19, source), 'E_STORE_PUT_MISMATCH');
    expect(err.details).toMatchObject({ expected: { size: 19 }, found: { size: 20 } });
    expect(await filesUnder(join(s.root, 'content-v1'))).toEqual([]);
    expect(await filesUnder(join(s.root, 'quarantine'))).toEqual([]);
    // The caller's temp file stays the caller's to remove.
    expect(await filesUnder(s.tempDir)).toEqual(['caller-temp']);
  });

  it('verifyOnPut refuses a file whose bytes do not hash to the announced digest', async () => {
    const root = await newRoot();
    roots.push(root);
    const s = createFsStorage({ root, verifyOnPut: true });
    const source = join(s.tempDir, 'caller-temp');
    await writeFile(source, 'real bytes');
    const err = await expectCode(() => s.put(digestOfBytes('fake bytes'), 10, source), 'E_STORE_PUT_MISMATCH');
    expect(err.details.found).toMatchObject({ digest: digestOfBytes('real bytes') });
    expect(await filesUnder(join(root, 'content-v1'))).toEqual([]);
  });

  it('a source on another filesystem is copied in through tmp (EXDEV), then removed', async () => {
    let shm: string;
    try {
      shm = await mkdtemp('/dev/shm/pakt-exdev-');
    } catch {
      return expect.fail('/dev/shm is needed for a second filesystem in this test');
    }
    try {
      const s = await store();
      const bytes = randomBytes(70_000);
      const source = join(shm, 'source');
      await writeFile(source, bytes);
      expect((await stat(shm)).dev).not.toBe((await stat(s.root)).dev);
      await s.put(digestOfBytes(bytes), bytes.length, source);
      expect((await readBlob(s, digestOfBytes(bytes))).bytes!.equals(bytes)).toBe(true);
      expect(await readdir(shm)).toEqual([]);
      expect(await readdir(s.tempDir)).toEqual([]);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('a store the user may not write gives E_IO with the OS cause, not a raw EACCES', async () => {
    const s = await store();
    await put(s, Buffer.from('already here'));
    const source = join(await newRoot(), 'source');
    roots.push(join(source, '..'));
    await writeFile(source, 'new blob');
    await chmod(join(source, '..'), 0o777);
    await chmod(source, 0o666);
    // Root ignores permission bits, so when the tests run as root the child runs as nobody,
    // and owns its source file as a caller's temp file would be owned.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() === 0) await chown(source, 65534, 65534);
    await chmod(s.root, 0o555);
    for (const sub of ['content-v1', 'content-v1/sha256', 'tmp', 'quarantine']) await chmod(join(s.root, sub), 0o555);
    const result = await runChild(child.file, ['put', s.root, source], asOther);
    expect(result.stdout, result.stderr).toMatch(/\S/);
    const line = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(line.ok, result.stderr).toBe(false);
    expect(line.error.code).toBe('E_IO');
    expect(line.error.causeCode).toMatch(/^(EACCES|EPERM|EROFS)$/);
    expect(line.error.message).toContain(s.root);
    for (const sub of ['content-v1', 'content-v1/sha256', 'tmp', 'quarantine']) await chmod(join(s.root, sub), 0o755);
  });

  it.skipIf(!existsSync('/usr/bin/prlimit') || !existsSync('/dev/shm'))('a write the OS fails midway (file size limit, as a full disk would) gives E_IO and stores nothing [needs prlimit, /dev/shm]', async () => {
    const s = await store();
    // From another filesystem, so put() must copy the bytes (and can fail while writing them).
    const shm = await mkdtemp('/dev/shm/pakt-efbig-');
    try {
      const source = join(shm, 'source');
      await writeFile(source, randomBytes(300_000));
      const result = await runProcess('/usr/bin/prlimit', ['--fsize=100000', process.execPath, child.file, 'put', s.root, source]);
      const line = JSON.parse(result.stdout.trim().split('\n').pop() || '{}');
      expect(line.ok, result.stderr).toBe(false);
      expect(line.error).toMatchObject({ code: 'E_IO', causeCode: 'EFBIG' });
      expect(await filesUnder(s.root)).toEqual([]);
      expect(await readdir(shm)).toEqual(['source']);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync('/usr/bin/prlimit'))('a putBytes whose write the OS fails midway (file size limit, as a full disk would) gives E_IO and leaves no blob [needs prlimit]', async () => {
    const s = await store();
    const source = join(s.root, '..', `${relative(tmpdir(), s.root)}-source`);
    await writeFile(source, randomBytes(300_000));
    try {
      const result = await runProcess('/usr/bin/prlimit', ['--fsize=100000', process.execPath, child.file, 'put-bytes', s.root, source]);
      const line = JSON.parse(result.stdout.trim().split('\n').pop() || '{}');
      expect(line.ok, result.stderr).toBe(false);
      expect(line.error).toMatchObject({ code: 'E_IO', causeCode: 'EFBIG' });
      expect(await filesUnder(s.root)).toEqual([]);
    } finally {
      await rm(source, { force: true });
    }
  });

  it('a shard folder removed after the store made it (it remembers the folders it made) is made again on the next put', async () => {
    const s = await store();
    const first = Buffer.from('first blob in the shard');
    const digest = await put(s, first);
    expect(await s.delete(digest)).toBe(true);
    const hex = digest.slice(7);
    // Another process (or a person tidying up) removes the now empty shard folders.
    await rm(join(s.root, 'content-v1', 'sha256', hex.slice(0, 2)), { recursive: true });
    const again = join(s.tempDir, 'again');
    await writeFile(again, first);
    await s.put(digest, first.length, again);
    expect((await readBlob(s, digest)).bytes).toEqual(first);
    expect(existsSync(again)).toBe(false);
  });

  it('a folder where the layout needs a file, or a file where it needs a folder, gives E_IO', async () => {
    const s = await store();
    const bytes = Buffer.from('blocked');
    const digest = digestOfBytes(bytes);
    const hex = digest.slice(7);
    // A stray file where the shard folder should be.
    await writeFile(join(s.root, 'content-v1', 'sha256', hex.slice(0, 2)), 'in the way');
    const source = join(s.tempDir, 'src');
    await writeFile(source, bytes);
    const err = await expectCode(() => s.put(digest, bytes.length, source), 'E_IO');
    expect((err.cause as NodeJS.ErrnoException).code).toMatch(/^(EEXIST|ENOTDIR)$/);
    expect(await s.stat(digest)).toBeUndefined();
  });

  it('a folder where the blob should be is refused before any read, with a code', async () => {
    const s = await store();
    const digest = digestOfBytes('a folder is in the way');
    // open() of a folder succeeds on Linux (read() would fail with EISDIR): the file type is checked first.
    await mkdir(blobPath(s.root, digest), { recursive: true });
    await expectCode(() => s.get(digest), 'E_STORE_BLOB_NOT_FILE');
    expect(await s.stat(digest)).toBeUndefined();
  });

  it('refuses a store with a newer layout, and a missing root option', async () => {
    const root = await newRoot();
    roots.push(root);
    await mkdir(join(root, 'content-v2'));
    const err = await expectCode(() => createFsStorage({ root }), 'E_STORE_LAYOUT_NEWER');
    expect(err.message).toContain('content-v2');
    expect(await readdir(root)).toEqual(['content-v2']);
    await expectCode(() => createFsStorage({} as { root: string }), 'E_PROVIDER_OPTION');
  });

  it('list skips foreign files in the content folders', async () => {
    const s = await store();
    const digest = await put(s, Buffer.from('real'));
    const hex = digest.slice(7);
    await writeFile(join(s.root, 'content-v1', 'sha256', hex.slice(0, 2), hex.slice(2, 4), 'README'), 'not a blob');
    const listed = [];
    for await (const info of s.list()) listed.push(info);
    expect(listed).toEqual([{ digest, size: 4 }]);
  });

  it('a temp file of a writer killed mid-write is swept; live and foreign files are kept', async () => {
    const s = await store();
    const proc = spawn(process.execPath, [child.file, 'intake-forever', s.tempDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => (d.toString().includes('writing') ? resolve() : undefined));
      proc.on('exit', () => reject(new Error('child exited before writing')));
    });
    proc.kill('SIGKILL');
    await new Promise((resolve) => proc.on('exit', resolve));
    const leftovers = await readdir(s.tempDir);
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(new RegExp(`^pakt-${proc.pid}-[0-9a-f]{12}\\.tmp$`));
    const ownFresh = join(s.tempDir, `pakt-${process.pid}-aaaaaaaaaaaa.tmp`);
    await writeFile(ownFresh, 'in use');
    await writeFile(join(s.tempDir, 'not-ours.txt'), 'keep');

    const swept = await s.sweepTemp();
    expect(swept.removed).toEqual([join(s.tempDir, leftovers[0]!)]);
    expect(swept.bytesFreed).toBeGreaterThan(0);
    expect(swept.kept).toBe(1);
    expect((await readdir(s.tempDir)).sort()).toEqual(['not-ours.txt', `pakt-${process.pid}-aaaaaaaaaaaa.tmp`]);
  });

  it('writers killed at random moments leave only whole blobs and sweepable temp files', async () => {
    const s = await store();
    const reported: Digest[] = [];
    for (let round = 0; round < 5; round++) {
      // Killed at a random moment after the writer got going.
      const out = await killAtRandomAfterFirstLine(child.file, ['store-forever', s.root], 200);
      for (const line of out.split('\n')) {
        // The last line may be cut by the kill; only whole lines were reported.
        if (line.endsWith('}')) reported.push((JSON.parse(line) as { stored: Digest }).stored);
      }
    }
    expect(reported.length).toBeGreaterThan(0);
    const listed = new Set<Digest>();
    for await (const info of s.list()) {
      listed.add(info.digest);
      const read = await readBlob(s, info.digest);
      expect(read.error, info.digest).toBeUndefined();
    }
    for (const digest of reported) expect(listed.has(digest), digest).toBe(true);
    await s.sweepTemp();
    expect(await readdir(s.tempDir)).toEqual([]);
    expect(await readdir(join(s.root, 'quarantine'))).toEqual([]);
  });

  it('putBytes writers killed at random moments: what they reported reads whole, and the next putBytes heals any torn leftover', async () => {
    const s = await store();
    const reported = new Set<Digest>();
    for (let round = 0; round < 5; round++) {
      // Each round starts again at blob 0: earlier blobs are found in place, a torn one is replaced.
      const out = await killAtRandomAfterFirstLine(child.file, ['put-bytes-forever', s.root], 150);
      for (const line of out.split('\n')) if (line.endsWith('}')) reported.add((JSON.parse(line) as { stored: Digest }).stored);
    }
    expect(reported.size).toBeGreaterThan(0);
    for (const digest of reported) expect((await readBlob(s, digest)).error, digest).toBeUndefined();
    // Anything else in the store is a blob of the series whose writer died (no version refers
    // to such a file); storing the series again leaves every one of them whole.
    const series = new Map<Digest, Buffer>();
    for (let i = 0; series.size < reported.size + 1; i++) series.set(digestOfBytes(seriesBlob(i)), seriesBlob(i));
    for await (const info of s.list()) expect(series.has(info.digest), info.digest).toBe(true);
    for (const [digest, bytes] of series) await s.putBytes(digest, bytes);
    for (const [digest, bytes] of series) expect((await readBlob(s, digest)).bytes!.equals(bytes), digest).toBe(true);
    expect(await readdir(join(s.root, 'quarantine'))).toEqual([]);
  });

  it('a short or foreign file at a small blob\'s path is replaced by putBytes and by put, never trusted', async () => {
    const s = await store();
    const bytes = randomBytes(20_000);
    const digest = digestOfBytes(bytes);
    const path = blobPath(s.root, digest);
    await mkdir(join(path, '..'), { recursive: true });
    // As a writer killed mid-write, or a power cut before the flush, can leave them.
    for (const [leftover, how] of [[bytes.subarray(0, 5000), 'putBytes'], [Buffer.alloc(bytes.length), 'putBytes'], [Buffer.alloc(0), 'put'], [randomBytes(bytes.length), 'put']] as const) {
      await rm(path, { force: true });
      await writeFile(path, leftover, { mode: 0o444 });
      if (how === 'putBytes') await s.putBytes(digest, bytes);
      else await put(s, bytes);
      expect((await readBlob(s, digest)).bytes!.equals(bytes), how).toBe(true);
      expect((await stat(path)).mode & 0o777).toBe(0o444);
    }
    expect(await readdir(s.tempDir)).toEqual([]);
  });

  it('putBytes remakes a shard folder removed behind its back, and refuses to write where a folder stands', async () => {
    const s = await store();
    const first = Buffer.from('first blob in the shard, from memory');
    const digest = digestOfBytes(first);
    await s.putBytes(digest, first);
    expect(await s.delete(digest)).toBe(true);
    await rm(join(s.root, 'content-v1', 'sha256', digest.slice(7, 9)), { recursive: true });
    await s.putBytes(digest, first);
    expect((await readBlob(s, digest)).bytes).toEqual(first);
    const other = Buffer.from('a folder is in the way');
    const otherDigest = digestOfBytes(other);
    await mkdir(blobPath(s.root, otherDigest), { recursive: true });
    await expectCode(() => s.putBytes(otherDigest, other), 'E_IO');
  });

  it('refuses use after close with E_CLOSED', async () => {
    const s = await store();
    await s.close?.();
    await expectCode(() => s.stat(digestOfBytes('x')), 'E_CLOSED');
  });
});
