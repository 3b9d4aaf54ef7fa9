/**
 * Whether an installed package folder holds what it should. Two depths:
 *
 * - quick: the folder exists and its manifest.json names the expected name@version (one small
 *   read; what a plain install relies on, since every folder was written whole and verified);
 * - full: also every file listed in its manifest.json is there with the listed sha256 and size,
 *   nothing else is (no unlisted file, no link, no special file), and, given the archive's own
 *   documents, manifest.json and metadata.json are byte for byte the archive's.
 *
 * Never throws for what the folder holds: it reports problems. Only an unreadable disk is E_IO.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PackageManifest } from '../contracts/package.js';
import { isRegistryError, toRegistryError } from '../errors.js';
import type { Limits } from '../limits.js';
import { MANIFEST_FILE, METADATA_FILE } from '../package/documents.js';
import { parseStrictJson } from '../package/strict-json.js';

export type FolderState = 'ok' | 'missing' | 'mismatch';

export interface FolderCheck {
  state: FolderState;
  /** What is wrong, in words (at most MAX_PROBLEMS). */
  problems: string[];
}

export interface ReferenceDocuments {
  manifest: Buffer;
  metadata: Buffer;
}

const MAX_PROBLEMS = 20;

function ioError(err: unknown, file: string): never {
  throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

interface ReadManifest {
  check: FolderCheck;
  manifest?: PackageManifest;
  bytes?: Buffer;
}

async function readFolderManifest(folder: string, expected: { name: string; version: string }, limits: Limits): Promise<ReadManifest> {
  try {
    const info = await lstat(folder);
    if (!info.isDirectory()) return { check: { state: 'mismatch', problems: [`${folder} is not a folder`] } };
  } catch (err) {
    if (code(err) === 'ENOENT') return { check: { state: 'missing', problems: [`${folder} does not exist`] } };
    ioError(err, folder);
  }
  const file = path.join(folder, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    const info = await lstat(file);
    if (!info.isFile()) return { check: { state: 'mismatch', problems: [`${MANIFEST_FILE} is not a regular file`] } };
    if (info.size > limits.maxManifestBytes) return { check: { state: 'mismatch', problems: [`${MANIFEST_FILE} is ${info.size} bytes, more than limits.maxManifestBytes`] } };
    bytes = await readFile(file);
  } catch (err) {
    if (code(err) === 'ENOENT') return { check: { state: 'mismatch', problems: [`${MANIFEST_FILE} is missing`] } };
    ioError(err, file);
  }
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, { maxDepth: limits.maxJsonDepth, source: MANIFEST_FILE });
  } catch (err) {
    if (!isRegistryError(err)) throw err;
    return { check: { state: 'mismatch', problems: [err.message] } };
  }
  const m = doc as Partial<PackageManifest> | null;
  if (m === null || typeof m !== 'object' || typeof m.files !== 'object' || m.files === null) return { check: { state: 'mismatch', problems: [`${MANIFEST_FILE} has no files object`] } };
  if (m.name !== expected.name || m.version !== expected.version) {
    return { check: { state: 'mismatch', problems: [`the folder holds ${String(m.name)}@${String(m.version)}, not ${expected.name}@${expected.version}`] } };
  }
  return { check: { state: 'ok', problems: [] }, manifest: m as PackageManifest, bytes };
}

/** The quick check: present, and its manifest.json names name@version. */
export async function quickCheckFolder(folder: string, expected: { name: string; version: string }, limits: Limits): Promise<FolderCheck> {
  return (await readFolderManifest(folder, expected, limits)).check;
}

/** The full check (see the module comment). */
export async function verifyFolder(folder: string, expected: { name: string; version: string }, limits: Limits, reference?: ReferenceDocuments): Promise<FolderCheck> {
  const read = await readFolderManifest(folder, expected, limits);
  if (read.check.state !== 'ok' || !read.manifest) return read.check;
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const listed = read.manifest.files;
  const seen = new Set<string>();
  for await (const item of walk(folder)) {
    if (item.kind !== 'file') {
      note(`'${item.rel}' is not a regular file (a link or a special file)`);
      continue;
    }
    if (item.rel === MANIFEST_FILE || item.rel === METADATA_FILE) continue;
    if (!Object.hasOwn(listed, item.rel)) {
      note(`'${item.rel}' is not in the package`);
      continue;
    }
    seen.add(item.rel);
    const want = listed[item.rel]!;
    const got = await hashFile(path.join(folder, ...item.rel.split('/')));
    if (got.hash !== want.hash) note(`'${item.rel}' was changed (sha256 ${got.hash}, the package has ${want.hash})`);
    else if (want.size !== undefined && got.size !== want.size) note(`'${item.rel}' has ${got.size} bytes, the package has ${want.size}`);
  }
  for (const rel of Object.keys(listed)) if (!seen.has(rel)) note(`'${rel}' is missing`);
  const metaFile = path.join(folder, METADATA_FILE);
  const metadata = await readFile(metaFile).catch((err: unknown) => (code(err) === 'ENOENT' ? undefined : ioError(err, metaFile)));
  if (metadata === undefined) note(`${METADATA_FILE} is missing`);
  if (reference) {
    if (!reference.manifest.equals(read.bytes!)) note(`${MANIFEST_FILE} differs from the archive's`);
    if (metadata && !reference.metadata.equals(metadata)) note(`${METADATA_FILE} differs from the archive's`);
  }
  return { state: problems.length === 0 ? 'ok' : 'mismatch', problems };
}

interface WalkItem {
  rel: string;
  kind: 'file' | 'other';
}

/** Every entry under `root` ('/'-separated relative paths); folders that hold something are walked, not reported. */
async function* walk(root: string): AsyncGenerator<WalkItem> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const dir = rel === '' ? root : path.join(root, ...rel.split('/'));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      ioError(err, dir);
    }
    if (entries.length === 0 && rel !== '') {
      // An empty folder may come from a folder entry of the archive: harmless, not reported.
      continue;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) stack.push(child);
      else yield { rel: child, kind: e.isFile() ? 'file' : 'other' };
    }
  }
}

async function hashFile(file: string): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    ioError(err, file);
  }
  return { hash: hash.digest('hex'), size };
}
