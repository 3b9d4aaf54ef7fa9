/**
 * What an install folder holds, by its lockfile, with each package folder checked: quickly
 * (present, the right name@version) or, with `verify`, every file re-hashed against the
 * package's manifest (nothing changed, missing or added).
 *
 * Needs no registry: a host can list its plugin folder on a machine without the store. It takes
 * the folder lock, so it waits for an install in progress and first rolls back one that was
 * interrupted; on a read-only folder it reads without the lock.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isRegistryError, RegistryError, toRegistryError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { acquireFolderLock, type FolderLock } from './folder-lock.js';
import { recoverFolder } from './journal.js';
import { layoutOf, packageFolder } from './layout.js';
import { readLockfile } from './lockfile.js';
import { mapLimit } from './pipeline.js';
import type { InstalledList, InstalledPackage, ListInstalledOptions } from './types.js';
import { quickCheckFolder, verifyFolder } from './verify-folder.js';

const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

export async function listInstalled(options: ListInstalledOptions, limits: Limits = DEFAULT_LIMITS): Promise<InstalledList> {
  if (typeof options?.into !== 'string' || options.into === '') throw new RegistryError('E_INVALID_ARGUMENT', 'listInstalled needs `into`, the install folder');
  const layout = layoutOf(options.into);
  try {
    if (!(await stat(layout.root)).isDirectory()) throw new RegistryError('E_INVALID_ARGUMENT', `${layout.root} is not a folder`, { path: layout.root });
  } catch (err) {
    if (isRegistryError(err)) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RegistryError('E_INPUT_NOT_FOUND', `no such folder: ${layout.root}`, { path: layout.root });
    throw toRegistryError(err, 'E_IO', `cannot read ${layout.root}`);
  }
  let lock: FolderLock | undefined;
  try {
    lock = await acquireFolderLock(layout, options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs });
  } catch (err) {
    const sys = isRegistryError(err) ? err.details['syscallCode'] : undefined;
    if (!(typeof sys === 'string' && READ_ONLY.has(sys)) || existsSync(layout.journal)) throw err;
  }
  try {
    if (lock) await recoverFolder(layout, true);
    const current = await readLockfile(layout.lockfile, options.versioning);
    if (!current) return { into: layout.root, locked: false, requirements: {}, packages: [], ok: true };
    const { lock: lockfile } = current;
    const names = Object.keys(lockfile.packages).sort();
    const packages = await mapLimit(names, 8, async (name): Promise<InstalledPackage> => {
      const p = lockfile.packages[name]!;
      const folder = packageFolder(layout.root, name);
      const expected = { name, version: p.version };
      const check = options.verify ? await verifyFolder(folder, expected, limits) : await quickCheckFolder(folder, expected, limits);
      const requirement = lockfile.requirements?.[name];
      return { name, version: p.version, digest: p.digest, path: folder, ...(requirement !== undefined ? { requirement } : {}), state: check.state, problems: check.problems };
    });
    return { into: layout.root, locked: true, requirements: { ...(lockfile.requirements ?? {}) }, packages, ok: packages.every((p) => p.state === 'ok') };
  } finally {
    await lock?.release();
  }
}
