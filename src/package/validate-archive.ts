/**
 * Validates a package archive (SPEC §1) and reports every problem found, as far as the archive
 * is readable. yauzl reads the central directory; this module adds what yauzl leaves to its
 * caller (see its README): the end records, local headers against the central directory, entry
 * layout (prefix, gaps, overlaps), names, modes, limits, the CRC and real size of every entry,
 * and the package documents and hashes.
 *
 * Memory stays flat: yauzl reads the central directory lazily; entry data is read once, in file
 * order, through reused buffers, and goes through CRC-32 and sha256 together; only metadata.json
 * and manifest.json (size-bounded before reading) are held in memory.
 *
 * Never throws for what the archive contains; rejects only with RegistryError E_IO (the reader
 * failed) or E_INPUT_NOT_FOUND (no such file).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type yauzl from 'yauzl';
import type { ValidationReport } from '../contracts/validation.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { resolveLimits, SMALL_ARCHIVE_BYTES, type Limits } from '../limits.js';
import { isFatal, Report, type EntryRecord } from './archive-report.js';
import { checkCentralEntry, checkLayoutFromCentral, checkNamesTogether, checkTotals } from './central-checks.js';
import { readEntries } from './entry-data.js';
import { FileReader, IoTaggingReader, MemoryReader } from './file-reader.js';
import { SEMVER_SYNTAX } from './name-version.js';
import { checkPackage, finish } from './package-checks.js';
import { classify, openZip, readAllEntries } from './zip-directory.js';
import { readArchiveEnd, type ArchiveEnd } from './zip-records.js';

export { MAX_REPORTED_ISSUES } from './archive-report.js';

export interface ValidateArchiveOptions {
  limits?: Partial<Limits>;
  /** The version scheme that judges `version` and the dependency ranges (default: SemVer). */
  versioning?: VersionSyntax;
}

/** Validates the archive at `file`. */
export async function validateArchiveFile(file: string, options: ValidateArchiveOptions = {}): Promise<ValidationReport> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RegistryError('E_INPUT_NOT_FOUND', `no such file: ${file}`, { path: file }, { cause: err });
    throw toRegistryError(err, 'E_IO', `cannot open ${file}`);
  }
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd);
    } catch {
      // Read-only descriptor: nothing was written that a failed close could lose.
    }
  };
  try {
    let stat;
    try {
      stat = fstatSync(fd);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot stat ${file}`);
    }
    if (!stat.isFile()) throw new RegistryError('E_INPUT_NOT_FOUND', `${file} is not a regular file`, { path: file });
    // A small archive in one synchronous read: for a typical package the thread-pool round trips
    // of a read per region cost more than the reading itself.
    if (stat.size <= SMALL_ARCHIVE_BYTES) {
      const bytes = readWhole(fd, stat.size, file);
      close();
      return await validateArchive(new MemoryReader(bytes), bytes.length, options);
    }
    return await validateArchive(new FileReader(fd), stat.size, options);
  } finally {
    close();
  }
}

/** Up to `size` bytes from the start of `fd`; fewer if the file is shorter now (what is there is validated). */
function readWhole(fd: number, size: number, file: string): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let done = 0;
  try {
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  return done === size ? bytes : bytes.subarray(0, done);
}

/**
 * Validates an archive of `size` bytes read through `reader` (yauzl's RandomAccessReader, so a
 * test can inject faults and a host can validate from anywhere it can read ranges).
 */
export async function validateArchive(source: yauzl.RandomAccessReader, size: number, options: ValidateArchiveOptions = {}): Promise<ValidationReport> {
  const limits = resolveLimits(options.limits);
  const report = new Report();
  const reader = new IoTaggingReader(source, size);
  // Our reference keeps yauzl from closing the source under us; the caller owns the source.
  (reader as unknown as { ref(): void }).ref();
  try {
    return await run(reader, size, limits, options.versioning ?? SEMVER_SYNTAX, report);
  } catch (err) {
    const coded = err instanceof RegistryError ? err : toRegistryError(err, 'E_INTERNAL', 'validating the archive failed');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, []);
  }
}

async function run(reader: yauzl.RandomAccessReader, size: number, limits: Limits, versioning: VersionSyntax, report: Report): Promise<ValidationReport> {
  if (size > limits.maxArchiveBytes) {
    report.add('E_PKG_ARCHIVE_TOO_LARGE', `the archive is ${size} bytes, max is ${limits.maxArchiveBytes} (limits.maxArchiveBytes)`);
    return finish(report, undefined, undefined, []);
  }
  let end: ArchiveEnd;
  try {
    end = await readArchiveEnd(reader, size);
  } catch (err) {
    const coded = classify(err, 'reading the end of the archive');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, []);
  }
  if (end.entryCount > limits.maxEntries) {
    report.add('E_PKG_TOO_MANY_ENTRIES', `the archive declares ${end.entryCount} entries, max is ${limits.maxEntries} (limits.maxEntries)`);
    return finish(report, undefined, undefined, []);
  }
  // Each central record is at least 46 bytes: a count the directory cannot hold is a lie.
  if (end.entryCount * 46 > end.centralDirectorySize) {
    report.add('E_PKG_ZIP_CORRUPT', `the archive declares ${end.entryCount} entries but its ${end.centralDirectorySize}-byte central directory cannot hold them`);
    return finish(report, undefined, undefined, []);
  }

  const records: EntryRecord[] = [];
  try {
    const zip = await openZip(reader, size);
    let centralBytes = 0;
    await readAllEntries(zip, limits.maxEntries, (entry) => {
      centralBytes += 46 + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
      records.push(checkCentralEntry(entry, records.length, limits, report));
    });
    if (records.length !== end.entryCount) {
      report.add('E_PKG_ZIP_CORRUPT', `the end record declares ${end.entryCount} entries but the central directory holds ${records.length}`);
    }
    if (centralBytes !== end.centralDirectorySize) {
      report.add('E_PKG_ZIP_CORRUPT', `the end record declares a ${end.centralDirectorySize}-byte central directory but its entries take ${centralBytes} bytes`);
    }
  } catch (err) {
    const coded = classify(err, 'reading the central directory');
    if (isFatal(coded)) throw coded;
    report.addError(coded);
    return finish(report, undefined, undefined, records);
  }

  checkTotals(records, size, limits, report);
  checkNamesTogether(records, report);
  checkLayoutFromCentral(records, end, report);
  await readEntries(reader, records, end, report);
  return checkPackage(records, limits, versioning, report);
}

