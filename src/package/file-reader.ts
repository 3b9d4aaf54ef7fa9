/**
 * yauzl's RandomAccessReader over an open file descriptor, plus the two adapters the validator
 * needs: one that turns every failure of the underlying reader into a coded E_IO error (so an
 * I/O fault is never mistaken for a corrupt archive, and never escapes uncoded), and a helper
 * that reads an exact byte range.
 */
import fs from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import yauzl from 'yauzl';
import { RegistryError, toRegistryError } from '../errors.js';

/** Large reads keep system calls few on big entries; 256 KiB stays well inside a flat RSS. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Read-ahead for small reads through IoTaggingReader.read. */
const READ_AHEAD_BYTES = 256 * 1024;

/**
 * Reads [start, end) of a shared descriptor with positional reads. fs.createReadStream would
 * close the descriptor when destroyed (even with autoClose off), and yauzl destroys streams it
 * no longer needs, so the descriptor is never handed to one.
 */
class RangeStream extends Readable {
  private position: number;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: READ_CHUNK_BYTES });
    this.position = start;
  }

  override _read(): void {
    const length = Math.min(READ_CHUNK_BYTES, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    fs.read(this.fd, buffer, 0, length, this.position, (err, bytesRead) => {
      if (err) {
        this.destroy(err);
        return;
      }
      if (bytesRead === 0) {
        this.push(null); // end of file: the reader's byte count reports the shortfall
        return;
      }
      this.position += bytesRead;
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
    });
  }
}

/** A RandomAccessReader over an open descriptor, which the caller opens and closes. */
export class FileReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return new RangeStream(this.fd, start, end);
  }

  /** Small reads (yauzl's central directory records, our headers) skip the stream machinery. */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    let done = 0;
    const step = (): void => {
      fs.read(this.fd, buffer, offset + done, length - done, position + done, (err, bytesRead) => {
        if (err) return callback(err);
        if (bytesRead === 0) return callback(new Error(`unexpected end of file: wanted ${length} bytes at ${position}, got ${done}`));
        done += bytesRead;
        if (done < length) step();
        else callback(null);
      });
    };
    if (length === 0) setImmediate(() => callback(null));
    else step();
  }
}

/** The part of the validation contract's ArchiveSource a reader needs (kept structural here). */
export interface ReadableSource {
  readonly size: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
}

/** A RandomAccessReader over an ArchiveSource (reads may wait: a file still being copied). */
export class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: ReadableSource) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    let position = start;
    const source = this.source;
    return new Readable({
      highWaterMark: READ_CHUNK_BYTES,
      read() {
        const length = Math.min(READ_CHUNK_BYTES, end - position);
        if (length <= 0) {
          this.push(null);
          return;
        }
        const buffer = Buffer.allocUnsafe(length);
        source.read(buffer, 0, length, position).then(
          (bytesRead) => {
            if (bytesRead === 0) {
              this.push(null); // end of the archive: the reader's byte count reports the shortfall
              return;
            }
            position += bytesRead;
            this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
          },
          (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
        );
      },
    });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const step = async (): Promise<void> => {
      for (let done = 0; done < length; ) {
        const bytesRead = await this.source.read(buffer, offset + done, length - done, position + done);
        if (bytesRead === 0) throw new Error(`unexpected end of file: wanted ${length} bytes at ${position}, got ${done}`);
        done += bytesRead;
      }
    };
    step().then(
      () => callback(null),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

/**
 * A RandomAccessReader over bytes already in memory (a small archive read whole). Reads are
 * copies answered on the microtask queue, so yauzl's read loop never deepens the stack; a read
 * past the end fails like a truncated file.
 */
export class MemoryReader extends yauzl.RandomAccessReader {
  constructor(private readonly bytes: Buffer) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    if (start < 0 || end > this.bytes.length || start > end) {
      queueMicrotask(() => out.destroy(new Error(`unexpected end of file: bytes ${start} to ${end} of a ${this.bytes.length}-byte file`)));
      return out;
    }
    out.end(this.bytes.subarray(start, end));
    return out;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    if (position < 0 || position + length > this.bytes.length) {
      queueMicrotask(() => callback(new Error(`unexpected end of file: wanted ${length} bytes at ${position} of a ${this.bytes.length}-byte file`)));
      return;
    }
    this.bytes.copy(buffer, offset, position, position + length);
    queueMicrotask(() => callback(null));
  }
}

function asIoError(err: unknown): RegistryError {
  return err instanceof RegistryError ? err : toRegistryError(err, 'E_IO', 'reading the archive failed');
}

/**
 * Wraps any reader (a file, a test's fault injector, a future remote reader) so that whatever it
 * throws or emits becomes RegistryError E_IO with the original as its cause.
 */
export class IoTaggingReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly inner: yauzl.RandomAccessReader,
    /** The archive's size: a read past it is the archive's fault (truncated), not the reader's. */
    private readonly size: number,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    if (start < 0 || end > this.size) {
      setImmediate(() => out.destroy(new Error(`unexpected EOF: bytes ${start} to ${end} run past the end of the ${this.size}-byte archive`)));
      return out;
    }
    let source: Readable;
    try {
      source = this.inner._readStreamForRange(start, end);
    } catch (err) {
      setImmediate(() => out.destroy(asIoError(err)));
      return out;
    }
    source.on('error', (err) => out.destroy(asIoError(err)));
    out.on('close', () => {
      if (!source.destroyed) source.destroy();
    });
    return source.pipe(out);
  }

  private cacheStart = 0;
  private cache: Buffer = Buffer.alloc(0);

  /**
   * yauzl reads the central directory one small record at a time; serving those reads from a
   * read-ahead buffer turns thousands of system calls into a few.
   */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    if (position < 0 || position + length > this.size) {
      setImmediate(() => callback(new Error(`unexpected EOF: ${length} bytes at offset ${position} run past the end of the ${this.size}-byte archive`)));
      return;
    }
    const cached = (): boolean => {
      if (position < this.cacheStart || position + length > this.cacheStart + this.cache.length) return false;
      this.cache.copy(buffer, offset, position - this.cacheStart, position - this.cacheStart + length);
      // Asynchronous even on a hit, so yauzl's read-next-entry loop never deepens the stack.
      queueMicrotask(() => callback(null));
      return true;
    };
    if (cached()) return;
    const fill = length < READ_AHEAD_BYTES ? Math.min(READ_AHEAD_BYTES, this.size - position) : length;
    const direct = fill === length;
    const target = direct ? buffer.subarray(offset, offset + length) : Buffer.allocUnsafe(fill);
    let called = false;
    const once = (err: Error | null) => {
      if (called) return;
      called = true;
      if (err) return callback(asIoError(err));
      if (direct) return callback(null);
      this.cache = target;
      this.cacheStart = position;
      if (!cached()) callback(new Error('read-ahead buffer does not cover the read'));
    };
    try {
      this.inner.read(target, 0, fill, position, once);
    } catch (err) {
      once(err as Error);
    }
  }

  override close(callback: (err: Error | null) => void): void {
    try {
      this.inner.close((err) => callback(err ? asIoError(err) : null));
    } catch (err) {
      callback(asIoError(err));
    }
  }
}

/** Reads exactly `length` bytes at `position` into `buffer` at `offset` (no allocation). */
export function readInto(reader: yauzl.RandomAccessReader, buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (length === 0) return resolve();
    let settled = false;
    try {
      reader.read(buffer, offset, length, position, (err) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      });
    } catch (err) {
      settled = true;
      reject(err);
    }
  });
}

/** Reads exactly `length` bytes at `position`; fewer bytes (a truncated file) is an error. */
export function readRange(reader: yauzl.RandomAccessReader, position: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.alloc(length);
    if (length === 0) return resolve(buffer);
    let settled = false;
    try {
      reader.read(buffer, 0, length, position, (err) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(buffer);
      });
    } catch (err) {
      settled = true;
      reject(err);
    }
  });
}
