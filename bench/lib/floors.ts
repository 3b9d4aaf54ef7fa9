/**
 * The floors the validator and publish are measured against, in the same run: read the archive,
 * inflate and sha256-hash every entry, check nothing. The naive one as most code reads a ZIP (a
 * yauzl stream per entry), the tight one with the validator's own read strategy.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import zlib from 'node:zlib';
import yauzl from 'yauzl';

/** Naive floor: yauzl's own streams, one per entry (what most code that reads a ZIP does). */
export async function naiveFloor(file: string): Promise<number> {
  const zip = await openLazy(file);
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const hash = createHash('sha256');
        stream.on('data', (chunk: Buffer) => hash.update(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          hash.digest('hex');
          entries++;
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

function openLazy(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, validateEntrySizes: false }, (err, z) => (err ? reject(err) : resolve(z))));
}

/**
 * Tight floor: the same reading strategy as the validator (central directory through yauzl,
 * then entry data in file order through one reused window, small entries inflated in one call,
 * large ones in 256 KiB chunks with four in flight, and each inflated chunk hashed in a microtask
 * so that zlib's next chunk is inflated on the thread pool meanwhile), with every check left out.
 * The ratio to this floor is the cost of the checks themselves. It is kept as fast as the
 * validator's own reading: a floor the validator could beat would flatter every ratio to it.
 */
export async function tightFloor(file: string): Promise<number> {
  const zip = await openLazy(file);
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.readEntry();
  });
  zip.close();
  entries.sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  const fd = await fsp.open(file, 'r');
  const WINDOW = 1024 * 1024;
  const window = Buffer.allocUnsafe(WINDOW);
  let windowStart = -1;
  let windowLength = 0;
  const readAt = async (offset: number, length: number): Promise<Buffer> => {
    if (offset >= windowStart && offset + length <= windowStart + windowLength) return window.subarray(offset - windowStart, offset - windowStart + length);
    if (length > WINDOW / 2) {
      const b = Buffer.allocUnsafe(length);
      await fd.read(b, 0, length, offset);
      return b;
    }
    const { bytesRead } = await fd.read(window, 0, WINDOW, offset);
    windowStart = offset;
    windowLength = bytesRead;
    return window.subarray(0, length);
  };
  const SLOTS = 4;
  const chunks = Array.from({ length: SLOTS }, () => Buffer.allocUnsafe(256 * 1024));
  try {
    for (const e of entries) {
      const header = await readAt(e.relativeOffsetOfLocalHeader, 30);
      const dataStart = e.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const hash = createHash('sha256');
      if (e.compressedSize <= 256 * 1024 && e.uncompressedSize <= 256 * 1024) {
        const data = await readAt(dataStart, e.compressedSize);
        hash.update(e.compressionMethod === 8 ? zlib.inflateRawSync(data) : data);
      } else {
        const inflater = e.compressionMethod === 8 ? zlib.createInflateRaw({ chunkSize: 1024 * 1024 }) : null;
        let hashing = Promise.resolve();
        const done = inflater ? new Promise<void>((resolve, reject) => inflater.on('data', (c: Buffer) => (hashing = hashing.then(() => void hash.update(c)))).on('end', resolve).on('error', reject)) : Promise.resolve();
        const size = chunks[0]!.length;
        const count = Math.ceil(e.compressedSize / size);
        const length = (k: number) => Math.min(size, e.compressedSize - k * size);
        // A buffer is refilled once zlib has consumed its previous chunk.
        const consumed: Array<Promise<void>> = [];
        const readChunk = async (k: number): Promise<void> => {
          if (k >= SLOTS) await consumed[k - SLOTS];
          await fd.read(chunks[k % SLOTS]!, 0, length(k), dataStart + k * size);
        };
        let pending = count > 0 ? readChunk(0) : undefined;
        for (let k = 0; k < count; k++) {
          await pending;
          pending = k + 1 < count ? readChunk(k + 1) : undefined;
          const data = chunks[k % SLOTS]!.subarray(0, length(k));
          if (inflater) consumed[k] = new Promise<void>((resolve) => inflater.write(data, () => resolve()));
          else {
            hash.update(data);
            consumed[k] = Promise.resolve();
          }
        }
        inflater?.end();
        await done;
        await hashing;
      }
      hash.digest('hex');
    }
  } finally {
    await fd.close();
  }
  return entries.length;
}

