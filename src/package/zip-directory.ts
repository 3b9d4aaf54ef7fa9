/**
 * The validator's adapter to yauzl: opening the central directory lazily over a reader, walking
 * its entries with a bound on their number, and mapping yauzl's messages to our codes.
 */
import yauzl from 'yauzl';
import { RegistryError, type ErrorCode } from '../errors.js';

/** yauzl's own messages, mapped to our codes; anything else from yauzl is a corrupt structure. */
function codeForYauzlError(message: string): ErrorCode {
  if (/end of central directory record signature not found/i.test(message)) return 'E_PKG_NOT_ZIP';
  if (/invalid comment length/i.test(message)) return 'E_PKG_TRAILING_DATA';
  if (/strong encryption/i.test(message)) return 'E_PKG_ENCRYPTED';
  if (/compressed\/uncompressed size mismatch/i.test(message)) return 'E_PKG_SIZE_MISMATCH';
  return 'E_PKG_ZIP_CORRUPT';
}

/** Separates what the bytes say (reported) from what the reader says (E_IO, rethrown). */
export function classify(err: unknown, context: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RegistryError(codeForYauzlError(message), `${context}: ${message}`, {}, { cause: err });
}

export function openZip(reader: yauzl.RandomAccessReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      // Names are decoded and checked here (yauzl's own check would stop at the first bad name);
      // sizes are checked here too, while streaming, so one bad entry does not end the listing.
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

export function readAllEntries(zip: yauzl.ZipFile, maxEntries: number, onEntry: (e: yauzl.Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let count = 0;
    const cleanup = () => {
      zip.removeListener('entry', entry);
      zip.removeListener('end', end);
      zip.removeListener('error', error);
    };
    const entry = (e: yauzl.Entry) => {
      count++;
      if (count > maxEntries) {
        cleanup();
        return reject(new RegistryError('E_PKG_TOO_MANY_ENTRIES', `the central directory holds more than ${maxEntries} entries (limits.maxEntries)`));
      }
      try {
        onEntry(e);
      } catch (err) {
        cleanup();
        return reject(err);
      }
      zip.readEntry();
    };
    const end = () => {
      cleanup();
      resolve();
    };
    const error = (err: unknown) => {
      cleanup();
      reject(err);
    };
    zip.on('entry', entry);
    zip.on('end', end);
    zip.on('error', error);
    zip.readEntry();
  });
}
