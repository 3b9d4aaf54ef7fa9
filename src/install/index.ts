/**
 * Install into a host folder (SPEC §11, docs/install.md): resolve, download verified, extract
 * safely, remember what is installed in pakt-lock.json, upgrade and remove, crash-safe.
 *
 * The registry exposes these as registry.install / listInstalled / upgradeInstalled /
 * removeInstalled; the functions here take any InstallSource.
 */
import { runOperation } from './operation.js';
import type { InstallHooks, InstallOptions, InstallResult, InstallSource, RemoveOptions, UpgradeOptions } from './types.js';

export type * from './types.js';
export { listInstalled } from './list.js';
export { LOCKFILE_NAME, WORK_DIR_NAME } from './layout.js';
export { parseLockfile, serializeLockfile, type Lockfile, type LockedPackage } from './lockfile.js';
export { portablePathProblems, isPortablePath, type PortableProblem, type PortableRule } from './portable-path.js';
export { INSTALL_STEPS } from './operation.js';

/** Installs (or with `frozen`, reproduces) packages into `options.into`. */
export function installPackages(source: InstallSource, options: InstallOptions, hooks?: InstallHooks): Promise<InstallResult> {
  const { frozen, ...rest } = options ?? ({} as InstallOptions);
  return runOperation(source, { ...rest, mode: frozen ? 'frozen' : 'install' }, hooks);
}

/** Moves the named packages (or all) to the highest versions the recorded requirements allow. */
export function upgradeInstalled(source: InstallSource, options: UpgradeOptions, hooks?: InstallHooks): Promise<InstallResult> {
  return runOperation(source, { ...options, mode: 'upgrade' }, hooks);
}

/** Removes root requirements and whatever only they needed. */
export function removeInstalled(source: InstallSource, options: RemoveOptions, hooks?: InstallHooks): Promise<InstallResult> {
  return runOperation(source, { ...options, mode: 'remove' }, hooks);
}
