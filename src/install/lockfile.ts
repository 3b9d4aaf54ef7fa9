/**
 * pakt-lock.json (SPEC §11): `{"lockfileVersion":1,"packages":{"name":{"version","digest"}}}`,
 * plus `requirements`, the root requirements the user asked for (name → range), so that
 * `upgrade` knows how far each package may move and `remove` knows what is still wanted.
 *
 * Written stable and diff-friendly: keys in one fixed order, names sorted, one package per line,
 * a final newline; the same state always gives the same bytes, so a change to one package is a
 * one-line diff and two branches that touch different packages merge cleanly.
 *
 *   {
 *     "lockfileVersion": 1,
 *     "requirements": {
 *       "app": "^2.0.0"
 *     },
 *     "packages": {
 *       "app": { "version": "2.1.0", "digest": "sha256:…" },
 *       "lib": { "version": "1.4.2", "digest": "sha256:…" }
 *     }
 *   }
 *
 * Read strictly (duplicate keys, conflict markers, unknown lockfileVersion: E_LOCK_INVALID). A
 * lockfile without `requirements` (the bare SPEC form) is accepted; see inferRequirements.
 */
import { readFile } from 'node:fs/promises';
import type { Digest } from '../contracts/package.js';
import type { VersionSyntax } from '../contracts/versioning.js';
import { isRegistryError, RegistryError, toRegistryError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { isDigest } from '../package/digest.js';
import { rangeProblem, versionProblem } from '../package/identity.js';
import { isValidName, SEMVER_SYNTAX } from '../package/name-version.js';
import { parseStrictJson } from '../package/strict-json.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const LOCKFILE_VERSION = 1;

export interface LockedPackage {
  version: string;
  digest: Digest;
}

export interface Lockfile {
  /** name → range the user asked for; null when the file did not record them. */
  requirements: Record<string, string> | null;
  packages: Record<string, LockedPackage>;
}

/** Past this size a lockfile is refused unread (about 100,000 packages). */
const MAX_LOCKFILE_BYTES = 32 * 1024 * 1024;

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of a lockfile. */
export function serializeLockfile(lock: Lockfile): string {
  const lines = ['{', `  "lockfileVersion": ${LOCKFILE_VERSION},`];
  const requirements = Object.keys(lock.requirements ?? {}).sort(byName);
  if (requirements.length === 0) lines.push('  "requirements": {},');
  else {
    lines.push('  "requirements": {');
    requirements.forEach((name, i) => lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(lock.requirements![name])}${i < requirements.length - 1 ? ',' : ''}`));
    lines.push('  },');
  }
  const names = Object.keys(lock.packages).sort(byName);
  if (names.length === 0) lines.push('  "packages": {}');
  else {
    lines.push('  "packages": {');
    names.forEach((name, i) => {
      const p = lock.packages[name]!;
      lines.push(`    ${JSON.stringify(name)}: { "version": ${JSON.stringify(p.version)}, "digest": ${JSON.stringify(p.digest)} }${i < names.length - 1 ? ',' : ''}`);
    });
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function invalid(file: string, message: string, pointer?: string): RegistryError {
  return new RegistryError('E_LOCK_INVALID', `${file}: ${message}`, { path: pointer === undefined ? file : `${file}#${pointer}` });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Parses lockfile text; `file` names it in messages. Versions and ranges are checked by the
 * store's version scheme (`versioning`, SemVer when none is given), as publish checked them.
 */
export function parseLockfile(text: string, file: string, versioning: VersionSyntax = SEMVER_SYNTAX): Lockfile {
  let doc: unknown;
  try {
    doc = parseStrictJson(text, { maxDepth: 8, source: file });
  } catch (err) {
    if (isRegistryError(err)) throw new RegistryError('E_LOCK_INVALID', err.message, { path: file }, { cause: err });
    throw err;
  }
  if (!isPlainObject(doc)) throw invalid(file, 'is not a JSON object');
  const version = doc['lockfileVersion'];
  if (version !== LOCKFILE_VERSION) {
    const newer = typeof version === 'number' && version > LOCKFILE_VERSION;
    throw invalid(file, newer ? `has lockfileVersion ${version}, written by a newer pakt; this one reads version ${LOCKFILE_VERSION}` : `lockfileVersion must be ${LOCKFILE_VERSION}, found ${JSON.stringify(version) ?? 'nothing'}`, '/lockfileVersion');
  }
  const packagesValue = doc['packages'];
  if (!isPlainObject(packagesValue)) throw invalid(file, '"packages" must be an object of name → {version, digest}', '/packages');
  const packages: Record<string, LockedPackage> = {};
  for (const [name, entry] of Object.entries(packagesValue)) {
    const pointer = `/packages/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isValidName(name)) throw invalid(file, `${JSON.stringify(String(name).slice(0, 80))} is not a valid package name`, pointer);
    if (!isPlainObject(entry)) throw invalid(file, `the entry of ${name} must be an object {version, digest}`, pointer);
    const badVersion = versionProblem(entry['version'], versioning, DEFAULT_LIMITS);
    if (badVersion !== undefined) throw invalid(file, `${name}: version ${JSON.stringify(entry['version'])} ${badVersion}`, `${pointer}/version`);
    if (!isDigest(entry['digest'])) throw invalid(file, `${name}: digest ${JSON.stringify(entry['digest'])} is not sha256:<64 lowercase hex>`, `${pointer}/digest`);
    packages[name] = { version: entry['version'] as string, digest: entry['digest'] };
  }
  let requirements: Record<string, string> | null = null;
  if (doc['requirements'] !== undefined) {
    const value = doc['requirements'];
    if (!isPlainObject(value)) throw invalid(file, '"requirements" must be an object of name → range', '/requirements');
    requirements = {};
    for (const [name, range] of Object.entries(value)) {
      const pointer = `/requirements/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isValidName(name)) throw invalid(file, `requirement ${JSON.stringify(String(name).slice(0, 80))} is not a valid package name`, pointer);
      const badRange = rangeProblem(range, versioning, DEFAULT_LIMITS);
      if (badRange !== undefined) throw invalid(file, `requirement ${name}: ${JSON.stringify(range)} ${badRange}`, pointer);
      if (!Object.hasOwn(packages, name)) throw invalid(file, `requirement ${name} is not among the locked packages`, pointer);
      requirements[name] = range as string;
    }
  }
  return { requirements, packages };
}

export interface LockfileOnDisk {
  lock: Lockfile;
  /** The file's exact text, to tell later whether it changed. */
  text: string;
}

/** Reads and parses the lockfile (see parseLockfile); undefined when there is none. */
export async function readLockfile(file: string, versioning: VersionSyntax = SEMVER_SYNTAX): Promise<LockfileOnDisk | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toRegistryError(err, 'E_IO', `cannot read ${file}`);
  }
  if (bytes.length > MAX_LOCKFILE_BYTES) throw invalid(file, `is ${bytes.length} bytes, more than a lockfile can be (${MAX_LOCKFILE_BYTES})`);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw invalid(file, 'is not valid UTF-8');
  return { lock: parseLockfile(text, file, versioning), text };
}

/** Replaces the lockfile atomically (temp file in `tmpDir`, fsync, rename, fsync the folder). */
export async function writeLockfile(file: string, text: string, options: { tmpDir: string; fsync: boolean }): Promise<void> {
  await writeFileAtomic(file, text, { tmpDir: options.tmpDir, fsync: options.fsync });
}

/**
 * The range recorded for a requirement given without one (`latest`): `^<version>`, compatible
 * updates as npm and Cargo record them, when the version scheme has carets; else the first of
 * `>=<version>`, `=<version>` and `<version>` the scheme reads as a range.
 */
export function compatibleRange(version: string, versioning: VersionSyntax): string {
  const forms = [`^${version}`, `>=${version}`, `=${version}`, version];
  return forms.find((r) => versioning.isValidRange(r)) ?? version;
}

/**
 * The requirements of a lockfile that recorded none (the bare SPEC form): every locked package
 * no other locked package depends on, at `^<locked version>` (compatibleRange), the range
 * `install` would have recorded for it. Packages only reachable through a cycle get the first of
 * the cycle as a root, so that every locked package stays wanted.
 */
export function inferRequirements(lock: Lockfile, dependenciesOf: (name: string) => Readonly<Record<string, string>>, versioning: VersionSyntax = SEMVER_SYNTAX): Record<string, string> {
  const names = Object.keys(lock.packages).sort(byName);
  const needed = new Set<string>();
  for (const name of names) {
    for (const dep of Object.keys(dependenciesOf(name))) if (dep !== name) needed.add(dep);
  }
  const roots = names.filter((n) => !needed.has(n));
  const reached = new Set<string>();
  const reach = (start: string): void => {
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reached.has(n) || !Object.hasOwn(lock.packages, n)) continue;
      reached.add(n);
      stack.push(...Object.keys(dependenciesOf(n)));
    }
  };
  roots.forEach(reach);
  for (const name of names) {
    if (reached.has(name)) continue;
    roots.push(name);
    reach(name);
  }
  const out: Record<string, string> = {};
  for (const name of roots.sort(byName)) out[name] = compatibleRange(lock.packages[name]!.version, versioning);
  return out;
}
