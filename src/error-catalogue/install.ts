import type { PortableRule } from '../install/portable-path.js';
import type { Holder } from '../install/folder-lock.js';
import type { PackageErrorCode } from './package.js';
import { defineErrors } from './spec.js';

/**
 * Installing packages into a host folder and its lockfile (SPEC §11, docs/install.md).
 * Owned by the install work (src/install/); add rows here, then run `npm run docs:errors`.
 */
export const INSTALL_ERRORS = defineErrors({
  E_LOCK_MISMATCH: {
    meaning: 'The lockfile (pakt-lock.json) and the folder or the store disagree: a locked version is not in the store or has another digest there, the lockfile is not a complete consistent tree, a requirement differs from the recorded one (--frozen), or an installed folder does not hold the locked version (--frozen). Nothing was changed.',
    hint: 'Read which package the message names. To accept a change, run `pakt install` without --frozen (it updates the lockfile); for a version whose bytes changed in the store, `pakt remove <name> --into <dir>` and install it again if you trust the new bytes.',
    status: 409, userFault: true, exit: 1,
  },
  E_LOCK_MISSING: {
    meaning: 'The operation needs the folder\'s lockfile (pakt-lock.json) but the folder has none: --frozen, upgrade and remove work from what was installed before.',
    hint: 'Run `pakt install <name[@range]>... --into <dir>` first, or copy the pakt-lock.json you want to reproduce into the folder.',
    status: 404, userFault: true, exit: 1,
  },
  E_LOCK_INVALID: {
    meaning: 'pakt-lock.json cannot be read as a lockfile: it is not strict JSON (e.g. merge conflict markers), has an unknown lockfileVersion, or a field with a wrong type, name, version, range or digest. Nothing was changed.',
    hint: 'Fix the place the message names (or restore the file from version control); if the folder should be rebuilt from scratch, move the lockfile away and install the requirements again.',
    status: 422, userFault: true, exit: 1,
  },
  E_INSTALL_UNSAFE_ENTRY: {
    meaning: 'A stored archive holds an entry that cannot be extracted safely (an absolute or `..` path, a backslash, a symbolic link or special file, names that collide case-insensitively or after NFC normalisation, a file that is also a folder); validation should have refused it, so the archive reached the store another way. Nothing was written into the folder.',
    hint: 'Do not install this version: delete it from the store (`pakt delete <name> <version>`) and republish a package that `pakt validate` accepts. details.rule names the path rule that was broken.',
    status: 422, userFault: true, exit: 1,
  },
  E_INSTALL_PATH_NOT_PORTABLE: {
    meaning: 'A path in the archive, or the package\'s own folder name, cannot be written safely on Windows, macOS and Linux alike: a segment holds one of < > : " | ? *, ends in a dot or a space, or is a reserved device name (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, with or without an extension). Nothing was written into the folder.',
    hint: 'Rename the file (or the package) and publish a new version; the message names the path and the rule.',
    status: 422, userFault: true, exit: 1,
  },
  E_INSTALL_ARCHIVE_INVALID: {
    meaning: 'A stored archive does not check out while it is extracted: its manifest.json or metadata.json is missing or malformed or names another package, a file differs from its manifest hash or size, is missing or unlisted, or an entry is encrypted, uses an unknown compression method, is corrupt or exceeds a limit. Validation should have refused it. The package folder was not created.',
    hint: 'Delete this version from the store (`pakt delete <name> <version>`) and republish it from a package that `pakt validate` accepts.',
    status: 422, userFault: true, exit: 1,
  },
  E_INSTALL_NOT_INSTALLED: {
    meaning: 'remove or upgrade named a package that is not installed in this folder (it is not in its pakt-lock.json).',
    hint: 'Run `pakt list --into <dir>` to see what is installed there.',
    status: 404, userFault: true, exit: 1,
  },
  E_INSTALL_STILL_NEEDED: {
    meaning: 'remove named a package that is installed only as a dependency of others; removing it would break them, so nothing was removed.',
    hint: 'Remove the packages that depend on it (the message names them); it goes with them when nothing else needs it.',
    status: 409, userFault: true, exit: 1,
  },
  E_INSTALL_FOLDER_OCCUPIED: {
    meaning: 'The package\'s folder inside the install folder already exists, but pakt did not install it there (the lockfile does not name it), so pakt will not replace it. Nothing was changed.',
    hint: 'Move that folder away (or delete it if it is not needed), then run the install again.',
    status: 409, userFault: true, exit: 1,
  },
  E_INSTALL_NAME_RESERVED: {
    meaning: 'The package\'s name is the name of a file pakt keeps in the install folder (pakt-lock.json), so its folder cannot be created there.',
    hint: 'Install the package into another folder structure, or publish it under another name.',
    status: 422, userFault: true, exit: 1,
  },
  E_INSTALL_BUSY: {
    meaning: 'Another process is installing into the same folder and did not finish within the wait; nothing was changed.',
    hint: 'Wait for the other install to finish and run the command again; the message names the process holding the folder (a lock of a process that no longer runs is taken over automatically).',
    // Like E_META_BUSY and E_ADVISORIES_BUSY: the same request succeeds once the other one is done.
    status: 503, userFault: false, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface InstallErrorDetails {
  E_LOCK_MISMATCH: {
    /** The dependency the lockfile does not name, or locks outside its range. */
    dependency?: string;
    /** What differs in an installed folder, one line each. */
    problems?: string[];
  };
  E_INSTALL_UNSAFE_ENTRY: {
    /** The path rule the entry breaks, as validation's code for it (E_PKG_PATH_TRAVERSAL, E_PKG_SYMLINK, ...). */
    rule?: PackageErrorCode;
  };
  E_INSTALL_PATH_NOT_PORTABLE: {
    /** The first portability rule the path breaks. */
    rule?: PortableRule;
  };
  E_INSTALL_STILL_NEEDED: {
    /** The installed packages that depend on it, `name@version` each. */
    dependents?: string[];
  };
  E_INSTALL_BUSY: {
    /** The process holding the folder's lock, or null when the lock vanished while it was read. */
    holder?: Holder | null;
  };
}
