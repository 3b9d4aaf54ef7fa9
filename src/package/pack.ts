/**
 * `pakt pack`: a folder holding metadata.json becomes a package archive. manifest.json is
 * (re)written into the folder, the archive is written deterministically (see zip-writer.ts),
 * and the result is validated before it is returned, so pack's output always passes validate.
 *
 * Refused while walking the folder: symbolic links, anything that is not a file or a folder,
 * paths that break the archive path rules, case-insensitive collisions. Empty folders are not
 * packed (a package is its files).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Digest, PackageMetadata } from '../contracts/package.js';
import type { ValidationIssue } from '../contracts/validation.js';
import { RegistryError, toRegistryError } from '../errors.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { resolveLimits, type Limits } from '../limits.js';
import { SEMVER_SYNTAX } from './name-version.js';
import { checkArchivePath, collisionKey, showPath } from './archive-path.js';
import { checkMetadata, MANIFEST_FILE, METADATA_FILE, parseDocument } from './documents.js';
import { buildManifest, serializeJson } from './manifest.js';
import { validateArchiveFile } from './validate-archive.js';
import { writeDeterministicZip, type ZipSource, type ZipWriteOptions } from './zip-writer.js';
import { digestFile } from './digest.js';
import { digestHex } from '../util/digest.js';

export interface PackResult {
  /** Absolute path of the archive written. */
  file: string;
  name: string;
  version: string;
  digest: Digest;
  size: number;
}

export interface PackOptions {
  /** Where to write the archive; default `<name without @, / as ->-<version>.zip` in `cwd`. */
  outFile?: string;
  limits?: Partial<Limits>;
  /** Resolves a relative outFile and the default name; default process.cwd(). */
  cwd?: string;
  /** Archive writer options (ZIP64 records, data descriptors); for fixtures and tests. */
  zip?: ZipWriteOptions;
  /** The version scheme metadata.json's version and ranges must follow (default: SemVer). */
  versioning?: VersionSyntax;
}

/** The default archive name, like npm pack: `@acme/tool` 1.0.0 → `acme-tool-1.0.0.zip`. */
export function defaultArchiveName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}.zip`;
}

function throwIssues(issues: ValidationIssue[], context: string): never {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''}: ${issues.slice(1, 4).map((i) => i.code).join(', ')}${issues.length > 4 ? ', …' : ''})` : '';
  const details: Record<string, unknown> = { issues };
  if (first.path !== undefined) details['path'] = first.path;
  throw new RegistryError(first.code, `${context}: ${first.message}${more}`, details);
}

async function readMetadata(dir: string, limits: Limits, versioning: VersionSyntax): Promise<{ metadata: PackageMetadata; bytes: Buffer }> {
  const file = path.join(dir, METADATA_FILE);
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RegistryError('E_PKG_METADATA_MISSING', `${dir} has no metadata.json; a package folder needs one with at least "name" and "version"`, { path: file });
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  if (stat.isSymbolicLink()) throw new RegistryError('E_PKG_SYMLINK', `${file} is a symbolic link; packages hold regular files only`, { path: METADATA_FILE });
  if (!stat.isFile()) throw new RegistryError('E_PKG_METADATA_MISSING', `${file} is not a regular file`, { path: METADATA_FILE });
  if (stat.size > limits.maxMetadataBytes) {
    throw new RegistryError('E_PKG_JSON_TOO_LARGE', `metadata.json is ${stat.size} bytes, max is ${limits.maxMetadataBytes} (limits.maxMetadataBytes)`, { path: METADATA_FILE, limit: { name: 'maxMetadataBytes', value: limits.maxMetadataBytes } });
  }
  const bytes = await fs.readFile(file).catch((err: unknown) => {
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  });
  const parsed = parseDocument(bytes, METADATA_FILE, limits);
  if (parsed.value === undefined) throwIssues(parsed.issues, `cannot pack ${dir}`);
  const checked = checkMetadata(parsed.value, limits, versioning);
  if (!checked.metadata) throwIssues(checked.issues, `cannot pack ${dir}`);
  return { metadata: checked.metadata, bytes };
}

interface FoundFile {
  path: string;
  file: string;
  size: number;
}

/** Every regular file under `dir` (relative, '/'-separated), refusing what a package cannot hold. */
async function walk(dir: string, skip: ReadonlySet<string>, limits: Limits): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const keys = new Map<string, string>();
  let total = 0;
  const visit = async (relDir: string): Promise<void> => {
    const absDir = relDir === '' ? dir : path.join(dir, relDir);
    let names: string[];
    try {
      names = await fs.readdir(absDir);
    } catch (err) {
      throw toRegistryError(err, 'E_IO', `cannot list ${absDir}`);
    }
    names.sort();
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(absDir, name);
      if (skip.has(abs)) continue;
      const stat = await fs.lstat(abs).catch((err: unknown) => {
        throw toRegistryError(err, 'E_IO', `cannot read ${abs}`);
      });
      if (stat.isSymbolicLink()) throw new RegistryError('E_PKG_SYMLINK', `'${showPath(rel)}' is a symbolic link; packages hold regular files only`, { path: rel, hint: 'Replace the link with a copy of its target, or remove it.' });
      const problems = checkArchivePath(rel, limits.maxPathBytes);
      if (problems.length > 0) throw new RegistryError(problems[0]!.code, `cannot pack '${showPath(rel)}': ${problems[0]!.message}`, { path: rel });
      const key = collisionKey(rel);
      const other = keys.get(key);
      if (other !== undefined) throw new RegistryError('E_PKG_PATH_DUPLICATE', `'${showPath(other)}' and '${showPath(rel)}' collide when compared case-insensitively; rename one`, { path: rel });
      keys.set(key, rel);
      if (stat.isDirectory()) await visit(rel);
      else if (stat.isFile()) {
        found.push({ path: rel, file: abs, size: stat.size });
        total += stat.size;
        if (found.length + 2 > limits.maxEntries) throw new RegistryError('E_PKG_TOO_MANY_ENTRIES', `${dir} holds more than ${limits.maxEntries - 2} files (limits.maxEntries, counting metadata.json and manifest.json)`, { limit: { name: 'maxEntries', value: limits.maxEntries } });
        if (total > limits.maxUncompressedBytes) throw new RegistryError('E_PKG_UNCOMPRESSED_TOO_LARGE', `${dir} holds more than ${limits.maxUncompressedBytes} bytes (limits.maxUncompressedBytes)`, { limit: { name: 'maxUncompressedBytes', value: limits.maxUncompressedBytes } });
      } else throw new RegistryError('E_PKG_SPECIAL_FILE', `'${showPath(rel)}' is neither a regular file nor a folder (a device, FIFO or socket)`, { path: rel });
    }
  };
  await visit('');
  return found;
}

async function hashFile(file: string): Promise<{ hash: string; size: number }> {
  const { digest, size } = await digestFile(file);
  return { hash: digestHex(digest), size };
}

/** Writes manifest.json into `dir` atomically (temp file, then rename). */
async function writeManifestFile(dir: string, bytes: Buffer): Promise<void> {
  const target = path.join(dir, MANIFEST_FILE);
  const existing = await fs.lstat(target).catch(() => null);
  if (existing && !existing.isFile()) throw new RegistryError('E_PKG_SPECIAL_FILE', `${target} exists and is not a regular file; remove it so pack can write the manifest`, { path: MANIFEST_FILE });
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await fs.writeFile(temp, bytes, { flag: 'wx' });
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw toRegistryError(err, 'E_IO', `cannot write ${target}`);
  }
}

/** Packs the folder `dir` into a package archive. */
export async function packDirectory(dir: string, options: PackOptions = {}): Promise<PackResult> {
  const limits = resolveLimits(options.limits);
  const cwd = options.cwd ?? process.cwd();
  const root = path.resolve(cwd, dir);
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat || !rootStat.isDirectory()) throw new RegistryError('E_INPUT_NOT_FOUND', `${root} is not a folder`, { path: root });
  const { metadata, bytes: metadataBytes } = await readMetadata(root, limits, options.versioning ?? SEMVER_SYNTAX);
  const outFile = path.resolve(cwd, options.outFile ?? defaultArchiveName(metadata.name, metadata.version));
  // The two documents are added explicitly; an earlier archive or a temp file in the folder is not content.
  const skip = new Set([path.join(root, METADATA_FILE), path.join(root, MANIFEST_FILE), outFile]);
  const files = await walk(root, skip, limits);
  const entries: Array<{ path: string; hash: string; size: number }> = [];
  for (const f of files) entries.push({ path: f.path, ...(await hashFile(f.file)) });
  const manifestBytes = serializeJson(buildManifest(metadata.name, metadata.version, entries));
  await writeManifestFile(root, manifestBytes);
  const sources: ZipSource[] = [
    { path: METADATA_FILE, buffer: metadataBytes },
    { path: MANIFEST_FILE, buffer: manifestBytes },
    ...files.map((f) => ({ path: f.path, file: f.file })),
  ];
  return writeAndCheck(sources, outFile, metadata, { limits, versioning: options.versioning ?? SEMVER_SYNTAX }, options.zip ?? {});
}

async function writeAndCheck(sources: ZipSource[], outFile: string, metadata: PackageMetadata, judge: { limits: Limits; versioning: VersionSyntax }, zipOptions: ZipWriteOptions): Promise<PackResult> {
  const { digest, size } = await writeDeterministicZip(sources, outFile, zipOptions);
  const report = await validateArchiveFile(outFile, judge);
  if (!report.valid) {
    await fs.rm(outFile, { force: true }).catch(() => undefined);
    throwIssues(report.errors, `the archive built for ${metadata.name}@${metadata.version} does not pass validation (a file changed while packing, or its content breaks a limit such as the compression ratio)`);
  }
  return { file: outFile, name: metadata.name, version: metadata.version, digest, size };
}

export interface BuildPackageInput {
  metadata: PackageMetadata;
  /** Content files by archive path; metadata.json and manifest.json are written from `metadata`. */
  files: Record<string, string | Uint8Array>;
}

export interface BuildPackageOptions extends ZipWriteOptions {
  /** Validate the result (default false: tests may build packages that must be refused later). */
  validate?: boolean;
  limits?: Partial<Limits>;
}

/**
 * Builds a package archive from memory in the same format as packDirectory (for tests and tools).
 * The manifest is computed from `files`. The result is not validated unless asked, so callers
 * can build packages with, say, an invalid version to test what refuses them.
 */
export async function buildPackage(input: BuildPackageInput, outFile: string, options: BuildPackageOptions = {}): Promise<PackResult> {
  const { metadata, files } = input;
  if (Object.prototype.hasOwnProperty.call(files, METADATA_FILE) || Object.prototype.hasOwnProperty.call(files, MANIFEST_FILE)) {
    throw new RegistryError('E_INVALID_ARGUMENT', 'buildPackage: pass metadata.json through `metadata`; manifest.json is computed', {});
  }
  const buffers = Object.entries(files).map(([p, content]) => ({ path: p, buffer: typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content) }));
  const manifest = buildManifest(
    metadata.name,
    metadata.version,
    buffers.map((b) => ({ path: b.path, hash: createHash('sha256').update(b.buffer).digest('hex'), size: b.buffer.length })),
  );
  const sources: ZipSource[] = [{ path: METADATA_FILE, buffer: serializeJson(metadata) }, { path: MANIFEST_FILE, buffer: serializeJson(manifest) }, ...buffers];
  const target = path.resolve(outFile);
  if (options.validate) return writeAndCheck(sources, target, metadata, { limits: resolveLimits(options.limits), versioning: SEMVER_SYNTAX }, options);
  const { digest, size } = await writeDeterministicZip(sources, target, options);
  return { file: target, name: metadata.name, version: metadata.version, digest, size };
}
