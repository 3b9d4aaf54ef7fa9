/**
 * Changing an install folder as one unit: the journal, the commit and the rollback.
 *
 * Replacing a folder that holds files cannot be one rename on any system (rename will not
 * replace a non-empty folder, and swapping two folders atomically is Linux-only and not in
 * Node). So a commit is written down first, then done:
 *
 *   1. the journal (`.pakt-install/journal.json`, written atomically): the lockfile text before
 *      and after, and every move: `<into>/<name>` → a parking place in the operation's tmp
 *      folder (a folder replaced or removed), a staged folder → `<into>/<name>` (one added or
 *      replaced);
 *   2. the moves, in order (each a rename, so each package folder is at any moment whole: the
 *      old one, the new one, or absent while it is being swapped);
 *   3. the new lockfile (atomically);
 *   4. the journal is deleted: this is the commit point;
 *   5. the parked folders are removed.
 *
 * An operation that fails, or is killed, before step 4 is rolled back by `rollback` (by itself
 * on failure, by the next operation in the folder after a kill): moves are undone in reverse,
 * each only if it happened (told by where the folders are), and the old lockfile text is put
 * back. Rolling back twice is harmless, so a kill during a rollback is survived too.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError, toRegistryError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { fsyncDir } from '../util/fsync.js';
import { isDeadTempLock } from './folder-lock.js';
import type { InstallLayout } from './layout.js';
import { packageFolder, scopeFolder } from './layout.js';
import { writeLockfile } from './lockfile.js';

export interface Move {
  name: string;
  /** Where the folder now at `<into>/<name>` is parked (relative to the install folder), if one is there. */
  parked?: string;
  /** The staged folder to move into `<into>/<name>` (relative to the install folder), if any. */
  staged?: string;
}

export interface Journal {
  version: 1;
  /** The operation folder (tmp/<op>) the parked and staged folders live in. */
  op: string;
  /** The lockfile's text before the commit; null when there was none. */
  fromText: string | null;
  /** The lockfile's text after it; null when the commit leaves the lockfile as it is. */
  toText: string | null;
  moves: Move[];
}

function abs(layout: InstallLayout, rel: string): string {
  return path.join(layout.root, ...rel.split('/'));
}

async function renameIo(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot move ${from} to ${to}`);
  }
}

/** The folders whose entries a commit changes, to fsync them once. */
function touchedFolders(layout: InstallLayout, journal: Journal): Set<string> {
  const out = new Set<string>([layout.root]);
  for (const m of journal.moves) {
    const scope = scopeFolder(layout.root, m.name);
    if (scope) out.add(scope);
    if (m.parked) out.add(path.dirname(abs(layout, m.parked)));
    if (m.staged) out.add(path.dirname(abs(layout, m.staged)));
  }
  return out;
}

/** Steps 1-4 of the module comment. Throws before step 4 leave the journal for rollback. */
export async function commitJournal(layout: InstallLayout, journal: Journal, fsync: boolean): Promise<void> {
  await writeFileAtomic(layout.journal, JSON.stringify(journal), { tmpDir: layout.tmp, fsync });
  for (const m of journal.moves) {
    const dest = packageFolder(layout.root, m.name);
    if (m.parked) {
      const parked = abs(layout, m.parked);
      await mkdir(path.dirname(parked), { recursive: true });
      await renameIo(dest, parked);
    }
    if (m.staged) {
      const scope = scopeFolder(layout.root, m.name);
      if (scope) await mkdir(scope, { recursive: true });
      await renameIo(abs(layout, m.staged), dest);
    }
  }
  if (fsync) for (const dir of touchedFolders(layout, journal)) if (existsSync(dir)) await fsyncDir(dir);
  if (journal.toText !== null && journal.toText !== journal.fromText) await writeLockfile(layout.lockfile, journal.toText, { tmpDir: layout.tmp, fsync });
  try {
    await unlink(layout.journal);
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot remove the journal ${layout.journal}`);
  }
  if (fsync) await fsyncDir(layout.work);
}

/** After the commit point: the parked folders go, and scope folders left empty. */
export async function finishCommit(layout: InstallLayout, journal: Journal): Promise<void> {
  for (const m of journal.moves) if (m.parked) await rm(abs(layout, m.parked), { recursive: true, force: true });
  await removeEmptyScopes(layout, journal.moves.map((m) => m.name));
}

/** Undoes whatever part of `journal` happened, restores the old lockfile, deletes the journal. */
export async function rollback(layout: InstallLayout, journal: Journal, fsync: boolean): Promise<void> {
  for (const m of [...journal.moves].reverse()) {
    const dest = packageFolder(layout.root, m.name);
    if (m.staged) {
      const staged = abs(layout, m.staged);
      // The staged folder is gone from its place only if it was moved in.
      if (!existsSync(staged) && existsSync(dest)) {
        await mkdir(path.dirname(staged), { recursive: true });
        await renameIo(dest, staged);
      }
    }
    if (m.parked) {
      const parked = abs(layout, m.parked);
      if (existsSync(parked) && !existsSync(dest)) {
        const scope = scopeFolder(layout.root, m.name);
        if (scope) await mkdir(scope, { recursive: true });
        await renameIo(parked, dest);
      }
    }
  }
  if (journal.toText !== null) {
    const now = await readFile(layout.lockfile, 'utf8').catch(() => null);
    if (now !== journal.fromText) {
      if (journal.fromText === null) await unlink(layout.lockfile).catch(() => undefined);
      else await writeLockfile(layout.lockfile, journal.fromText, { tmpDir: layout.tmp, fsync });
    }
  }
  if (fsync) for (const dir of touchedFolders(layout, journal)) if (existsSync(dir)) await fsyncDir(dir);
  await unlink(layout.journal).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toRegistryError(err, 'E_IO', `cannot remove the journal ${layout.journal}`);
  });
  if (fsync) await fsyncDir(layout.work);
  await removeEmptyScopes(layout, journal.moves.map((m) => m.name));
}

export async function readJournal(layout: InstallLayout): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(layout.journal, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toRegistryError(err, 'E_IO', `cannot read the journal ${layout.journal}`);
  }
  try {
    const j = JSON.parse(text) as Journal;
    if (j.version === 1 && Array.isArray(j.moves) && typeof j.op === 'string') return j;
  } catch {
    // reported below
  }
  // Written atomically by pakt, so only a hand edit gets here; guessing could lose folders.
  throw new RegistryError('E_IO', `the journal of an interrupted operation, ${layout.journal}, cannot be read; the folder was left as it is`, {
    path: layout.journal,
    hint: `Look at ${layout.tmp}: it holds the folders the interrupted operation had moved aside. Restore them by hand, then delete the journal.`,
  });
}

/**
 * What the next operation does first, holding the folder lock: roll back an interrupted
 * commit, then remove every leftover of earlier operations (the lock keeps out anyone who could
 * still be using them). Returns what it did, for the step report.
 */
export async function recoverFolder(layout: InstallLayout, fsync: boolean): Promise<{ rolledBack: boolean; swept: number }> {
  const journal = await readJournal(layout);
  if (journal) await rollback(layout, journal, fsync);
  let swept = 0;
  let entries: string[] = [];
  try {
    entries = await readdir(layout.tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toRegistryError(err, 'E_IO', `cannot list ${layout.tmp}`);
  }
  for (const name of entries) {
    await rm(path.join(layout.tmp, name), { recursive: true, force: true });
    swept += 1;
  }
  for (const name of await readdir(layout.work).catch(() => [] as string[])) {
    if (isDeadTempLock(name)) {
      await rm(path.join(layout.work, name), { force: true });
      swept += 1;
    }
  }
  return { rolledBack: journal !== undefined, swept };
}

/** Scope folders (`<into>/@scope`) of these names that are now empty. */
async function removeEmptyScopes(layout: InstallLayout, names: readonly string[]): Promise<void> {
  const scopes = new Set(names.map((n) => scopeFolder(layout.root, n)).filter((s): s is string => s !== undefined));
  for (const scope of scopes) await rmdir(scope).catch(() => undefined);
}
