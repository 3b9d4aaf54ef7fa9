/** RandomAccessReaders for tests: over a Buffer, and one that fails on its N-th read. */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

export class BufferReader extends yauzl.RandomAccessReader {
  reads = 0;
  constructor(private readonly buffer: Buffer) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    this.reads++;
    return Readable.from([this.buffer.subarray(start, end)]);
  }
}

export type FaultMode = 'throw' | 'error-at-once' | 'error-after-data';

/** Delegates to `inner`, except that its `failAt`-th read (1-based) fails in the given way. */
export class FailingReader extends yauzl.RandomAccessReader {
  reads = 0;
  constructor(
    private readonly inner: yauzl.RandomAccessReader,
    private readonly failAt: number,
    private readonly mode: FaultMode,
  ) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    this.reads++;
    if (this.reads !== this.failAt) return this.inner._readStreamForRange(start, end);
    const fault = Object.assign(new Error(`injected fault on read ${this.reads} (${start}-${end})`), { code: 'EIO' });
    if (this.mode === 'throw') throw fault;
    if (this.mode === 'error-at-once') {
      const stream = new Readable({ read() {} });
      setImmediate(() => stream.destroy(fault));
      return stream;
    }
    const source = this.inner._readStreamForRange(start, end);
    let sent = false;
    return new Readable({
      read() {
        if (sent) {
          this.destroy(fault);
          return;
        }
        source.once('readable', () => {
          const chunk = source.read() as Buffer | null;
          sent = true;
          source.destroy();
          if (chunk) this.push(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
          else this.destroy(fault);
        });
      },
    });
  }
}
