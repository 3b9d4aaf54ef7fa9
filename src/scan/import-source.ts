/**
 * What `advisories import` reads: one `.json` file (a record, or an array of records), a folder
 * of them (walked recursively in name order, as a clone of github/advisory-database is laid out;
 * dot-folders such as `.git` and symbolic links are not followed), or a ZIP in the layout of
 * osv.dev's `all.zip` (advisory-zip.ts). Every document is size-bounded before it is read.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RegistryError, toRegistryError } from '../errors.js';
import type { AdvisoryImportLimits } from '../limits.js';
import { zipDocuments, type SourceDocument } from './advisory-zip.js';

export type { SourceDocument } from './advisory-zip.js';

export type InputKind = 'file' | 'folder' | 'zip';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** What kind of input `input` is; E_INPUT_NOT_FOUND when it is missing or unreadable. */
export function inputKind(input: string): InputKind {
  let stat;
  try {
    stat = statSync(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RegistryError('E_INPUT_NOT_FOUND', `no such file or folder: ${input}`, { path: input }, { cause: err });
    throw toRegistryError(err, 'E_IO', `cannot read ${input}`);
  }
  if (stat.isDirectory()) return 'folder';
  if (!stat.isFile()) throw new RegistryError('E_INPUT_NOT_FOUND', `${input} is neither a file nor a folder`, { path: input });
  if (/\.zip$/i.test(input)) return 'zip';
  const head = readHead(input);
  return ZIP_MAGIC.some((m) => head.subarray(0, 4).equals(m)) ? 'zip' : 'file';
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The bytes of one JSON file, refused before reading when larger than the limit. */
function readJsonFile(file: string, limits: AdvisoryImportLimits): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot open ${file}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxAdvisoryJsonBytes) {
      throw new RegistryError('E_ADVISORY_TOO_LARGE', `${file} is ${size} bytes, max is ${limits.maxAdvisoryJsonBytes} for one JSON document (limit maxAdvisoryJsonBytes); nothing was imported`, { path: file, limit: { name: 'maxAdvisoryJsonBytes', value: limits.maxAdvisoryJsonBytes } });
    }
    const bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return bytes.subarray(0, done);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  } finally {
    closeSync(fd);
  }
}

function* folderFiles(root: string, limits: AdvisoryImportLimits): Generator<string> {
  let count = 0;
  const walk = function* (dir: string, depth: number): Generator<string> {
    if (depth > limits.maxAdvisoryFolderDepth) {
      throw new RegistryError('E_ADVISORY_TOO_LARGE', `${dir} is nested more than ${limits.maxAdvisoryFolderDepth} folders deep under ${root} (limit maxAdvisoryFolderDepth); nothing was imported`, { path: dir });
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot list ${dir}`);
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) continue;
      if (stat.isDirectory()) yield* walk(full, depth + 1);
      else if (stat.isFile() && /\.json$/i.test(name)) {
        if (++count > limits.maxAdvisoryEntries) {
          throw new RegistryError('E_ADVISORY_TOO_LARGE', `${root} holds more than ${limits.maxAdvisoryEntries} .json files (limit maxAdvisoryEntries); nothing was imported`, { path: root });
        }
        yield full;
      }
    }
  };
  yield* walk(root, 0);
}

/** Every JSON document of the input, in a stable order. */
export async function* advisoryDocuments(input: string, kind: InputKind, limits: AdvisoryImportLimits): AsyncGenerator<SourceDocument> {
  if (kind === 'zip') {
    yield* zipDocuments(input, limits);
    return;
  }
  if (kind === 'file') {
    yield { source: input, bytes: readJsonFile(input, limits) };
    return;
  }
  for (const file of folderFiles(input, limits)) yield { source: file, bytes: readJsonFile(file, limits) };
}
