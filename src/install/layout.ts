/**
 * The install folder on disk (docs/install.md):
 *
 *   <into>/pakt-lock.json            what is installed, and what was asked for
 *   <into>/<name>/                   one folder per package: its files, metadata.json, manifest.json
 *   <into>/@scope/<name>/            scoped packages
 *   <into>/.pakt-install/            pakt's own working area, present only while an operation
 *     lock                           runs or after one was killed: the folder lock,
 *     journal.json                   the journal of a commit in progress,
 *     tmp/op-<pid>-<hex>/            and each operation's downloads, staged and replaced folders
 *
 * No package name starts with a dot, so `.pakt-install` can never be a package's folder; the
 * lockfile's name is refused as a package name (E_INSTALL_NAME_RESERVED).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { RegistryError } from '../errors.js';
import { portablePathProblems } from './portable-path.js';

export const LOCKFILE_NAME = 'pakt-lock.json';
export const WORK_DIR_NAME = '.pakt-install';

export interface InstallLayout {
  /** The install folder, absolute. */
  readonly root: string;
  readonly lockfile: string;
  readonly work: string;
  readonly lock: string;
  readonly journal: string;
  readonly tmp: string;
}

export function layoutOf(into: string): InstallLayout {
  const root = path.resolve(into);
  const work = path.join(root, WORK_DIR_NAME);
  return {
    root,
    lockfile: path.join(root, LOCKFILE_NAME),
    work,
    lock: path.join(work, 'lock'),
    journal: path.join(work, 'journal.json'),
    tmp: path.join(work, 'tmp'),
  };
}

/** A fresh operation folder name inside tmp/ (created by the caller). */
export function operationId(): string {
  return `op-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * The folder of package `name` under `base` (`<base>/left-pad`, `<base>/@acme/tool`).
 * Refuses names whose folder could not exist on every system, or that clash with the lockfile.
 */
export function packageFolder(base: string, name: string): string {
  checkFolderName(name);
  return path.join(base, ...name.split('/'));
}

/** The scope folder of a scoped name (`<base>/@acme`), or undefined. */
export function scopeFolder(base: string, name: string): string | undefined {
  return name.startsWith('@') ? path.join(base, name.split('/')[0]!) : undefined;
}

function checkFolderName(name: string): void {
  if (name === LOCKFILE_NAME) {
    throw new RegistryError('E_INSTALL_NAME_RESERVED', `package '${name}' cannot be installed: its folder would be the lockfile ${LOCKFILE_NAME}`, { name });
  }
  const problems = portablePathProblems(name);
  if (problems.length > 0) {
    throw new RegistryError('E_INSTALL_PATH_NOT_PORTABLE', `package '${name}' cannot be installed: its folder name is not portable (${problems.map((p) => p.message).join('; ')})`, {
      name,
      path: name,
      rule: problems[0]!.rule,
    });
  }
}
