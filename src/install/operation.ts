/**
 * One operation on an install folder (install, install --frozen, upgrade, remove), as named
 * steps, under the folder lock:
 *
 *   recover → readLock → plan → fetch → verifyPresent → extract → commit
 *
 * - recover: roll back whatever an interrupted operation left (journal.ts), sweep its leftovers;
 * - readLock: pakt-lock.json, strictly;
 * - plan: the target state (plan.ts) and the actions that reach it: add, change, repair, remove,
 *   and (frozen) verify a folder already there;
 * - fetch: each archive needed, downloaded verified into the operation's tmp folder (the copy
 *   appears only once its digest checked out, so nothing is ever extracted from a stream that
 *   could still fail);
 * - verifyPresent (frozen): folders already there are compared with their archives;
 * - extract: each package into a staged folder beside the install folder (extract.ts), whole,
 *   checked against its manifest and fsync'd;
 * - commit: the journal, the renames, the lockfile, the commit point (journal.ts).
 *
 * Trust gates (signatures, advisory policy) belong between fetch and verifyPresent: they see
 * every verified archive before a single file is written. Nothing in the folder changes before
 * commit; a failure in any step leaves the folder as it was (commit's undo is the rollback).
 */
import { mkdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../contracts/index.js';
import { RegistryError, toRegistryError } from '../errors.js';
import { parseStrictJson } from '../package/strict-json.js';
import { fsyncDir } from '../util/fsync.js';
import { extractArchive, readArchiveDocuments } from './extract.js';
import { acquireFolderLock } from './folder-lock.js';
import { commitJournal, finishCommit, recoverFolder, rollback, type Journal, type Move } from './journal.js';
import { layoutOf, operationId, packageFolder, type InstallLayout } from './layout.js';
import { inferRequirements, readLockfile, serializeLockfile, type LockedPackage, type Lockfile, type LockfileOnDisk } from './lockfile.js';
import { normalizeRequirements, recordedRequirements, recordsOf, resolveWithLock } from './plan.js';
import { mapLimit, runInstallSteps, type InstallStep } from './pipeline.js';
import type { InstallHooks, InstallProgress, InstallResult, InstallSource, Requirements } from './types.js';
import { quickCheckFolder, verifyFolder } from './verify-folder.js';

export type OperationMode = 'install' | 'frozen' | 'upgrade' | 'remove';

export interface OperationInput {
  mode: OperationMode;
  into: string;
  requirements?: Requirements;
  packages?: readonly string[];
  all?: boolean;
  repair?: boolean;
  dryRun?: boolean;
  fsync?: boolean;
  onProgress?: (progress: InstallProgress) => void;
  lockTimeoutMs?: number;
}

interface Action {
  kind: 'add' | 'change' | 'repair' | 'remove' | 'verify';
  name: string;
  /** The version the folder will hold (for remove: the one removed). */
  version: string;
  digest: Digest;
  previous?: LockedPackage;
  /** Something is at `<into>/<name>` now (to be parked at commit). */
  folderExists: boolean;
  archive?: string;
  staged?: string;
}

interface OperationState {
  readonly input: OperationInput;
  readonly source: InstallSource;
  readonly layout: InstallLayout;
  readonly op: string;
  readonly opDir: string;
  readonly fsync: boolean;
  current?: LockfileOnDisk;
  /** The lockfile text after the operation; null: leave the lockfile as it is. */
  nextText: string | null;
  nextRequirements: Record<string, string>;
  actions: Action[];
  unchanged: number;
  stillNeeded: string[];
  dependencies: Map<string, Readonly<Record<string, string>>>;
  journal?: Journal;
}

/** At most this many packages are downloaded, or extracted, at once. */
const PARALLEL_PACKAGES = 4;

function progress(state: OperationState, p: InstallProgress): void {
  state.input.onProgress?.(p);
}

function needsArchive(a: Action): boolean {
  return a.kind === 'add' || a.kind === 'change' || a.kind === 'repair' || a.kind === 'verify';
}

function lockMissing(layout: InstallLayout, mode: OperationMode): RegistryError {
  const what = mode === 'frozen' ? 'install --frozen' : mode;
  return new RegistryError('E_LOCK_MISSING', `${what} needs ${layout.lockfile}, which does not exist`, { path: layout.lockfile });
}

// ─── steps ───────────────────────────────────────────────────────────────────────────────────

const recover: InstallStep<OperationState> = {
  name: 'recover',
  async run(state) {
    return recoverFolder(state.layout, state.fsync);
  },
};

const readLock: InstallStep<OperationState> = {
  name: 'readLock',
  async run(state) {
    const current = await readLockfile(state.layout.lockfile, state.source.versioning);
    if (current) state.current = current;
    else if (state.input.mode !== 'install') throw lockMissing(state.layout, state.input.mode);
    return { packages: current ? Object.keys(current.lock.packages).length : 0 };
  },
};

const plan: InstallStep<OperationState> = {
  name: 'plan',
  async run(state) {
    progress(state, { phase: 'resolve', done: 0, total: 1 });
    if (state.input.mode === 'frozen') await planFrozen(state);
    else if (state.input.mode === 'remove') await planRemove(state);
    else await planResolved(state);
    progress(state, { phase: 'resolve', done: 1, total: 1 });
    const count = (kind: Action['kind']) => state.actions.filter((a) => a.kind === kind).length;
    return { add: count('add'), change: count('change'), repair: count('repair'), remove: count('remove'), verify: count('verify'), unchanged: state.unchanged };
  },
};

const fetch: InstallStep<OperationState> = {
  name: 'fetch',
  async run(state) {
    const wanted = state.actions.filter(needsArchive);
    if (wanted.length === 0) return { archives: 0 };
    const dir = path.join(state.opDir, 'archives');
    await mkdir(dir, { recursive: true });
    let done = 0;
    let bytes = 0;
    await mapLimit(wanted, PARALLEL_PACKAGES, async (a, i) => {
      const file = path.join(dir, `${i}.zip`);
      const got = await state.source.downloadToFile(a.name, a.version, file);
      if (got.digest !== a.digest) {
        await rm(file, { force: true });
        throw new RegistryError('E_LOCK_MISMATCH', `${a.name}@${a.version} changed in the store during the install (planned ${a.digest}, downloaded ${got.digest}); nothing was changed`, { name: a.name, expected: a.digest, found: got.digest });
      }
      a.archive = file;
      bytes += got.size;
      progress(state, { phase: 'fetch', done: ++done, total: wanted.length, name: a.name, version: a.version });
    });
    return { archives: wanted.length, bytes };
  },
};

const verifyPresent: InstallStep<OperationState> = {
  name: 'verifyPresent',
  async run(state) {
    const present = state.actions.filter((a) => a.kind === 'verify');
    await mapLimit(present, PARALLEL_PACKAGES, async (a) => {
      const reference = await readArchiveDocuments(a.archive!, a, state.source.limits, state.source.versioning);
      const check = await verifyFolder(packageFolder(state.layout.root, a.name), a, state.source.limits, reference);
      if (check.state !== 'ok') {
        throw new RegistryError('E_LOCK_MISMATCH', `${packageFolder(state.layout.root, a.name)} does not hold ${a.name}@${a.version} as the lockfile says: ${check.problems.slice(0, 3).join('; ')}${check.problems.length > 3 ? `; … (${check.problems.length} problems)` : ''}`, {
          name: a.name,
          path: packageFolder(state.layout.root, a.name),
          problems: check.problems,
        });
      }
      await rm(a.archive!, { force: true });
    });
    state.actions = state.actions.filter((a) => a.kind !== 'verify');
    return { verified: present.length };
  },
};

const extract: InstallStep<OperationState> = {
  name: 'extract',
  async run(state) {
    const wanted = state.actions.filter((a) => a.archive !== undefined);
    if (wanted.length === 0) return { packages: 0 };
    const dir = path.join(state.opDir, 'stage');
    await mkdir(dir, { recursive: true });
    let done = 0;
    let files = 0;
    let bytes = 0;
    await mapLimit(wanted, PARALLEL_PACKAGES, async (a, i) => {
      const staged = path.join(dir, String(i));
      const r = await extractArchive(a.archive!, staged, a, { limits: state.source.limits, versioning: state.source.versioning, fsync: state.fsync });
      a.staged = staged;
      files += r.files;
      bytes += r.bytes;
      await rm(a.archive!, { force: true });
      progress(state, { phase: 'extract', done: ++done, total: wanted.length, name: a.name, version: a.version });
    });
    if (state.fsync) await fsyncDir(dir);
    return { packages: wanted.length, files, bytes };
  },
};

const commit: InstallStep<OperationState> = {
  name: 'commit',
  async run(state) {
    const moves: Move[] = [];
    for (const a of [...state.actions].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const move: Move = { name: a.name };
      if (a.folderExists) move.parked = relative(state, path.join(state.opDir, 'old', ...a.name.split('/')));
      if (a.staged) move.staged = relative(state, a.staged);
      if (move.parked || move.staged) moves.push(move);
    }
    const fromText = state.current?.text ?? null;
    const toText = state.nextText;
    if (moves.length === 0 && (toText === null || toText === fromText)) return { moves: 0, lockfile: 'unchanged' };
    progress(state, { phase: 'commit', done: 0, total: 1 });
    state.journal = { version: 1, op: relative(state, state.opDir), fromText, toText, moves };
    await commitJournal(state.layout, state.journal, state.fsync);
    const journal = state.journal;
    state.journal = undefined; // committed: nothing to undo any more
    await finishCommit(state.layout, journal);
    progress(state, { phase: 'commit', done: 1, total: 1 });
    return { moves: moves.length, lockfile: toText === null || toText === fromText ? 'unchanged' : 'written' };
  },
  async undo(state) {
    if (!state.journal) return;
    const onDisk = await stat(state.layout.journal).then(() => true, () => false);
    if (onDisk) await rollback(state.layout, state.journal, state.fsync);
  },
};

/** The steps, in order. A trust gate goes right after `fetch`. */
export const INSTALL_STEPS: ReadonlyArray<InstallStep<OperationState>> = [recover, readLock, plan, fetch, verifyPresent, extract, commit];

function relative(state: OperationState, abs: string): string {
  return path.relative(state.layout.root, abs).split(path.sep).join('/');
}

// ─── planning by mode ────────────────────────────────────────────────────────────────────────

/** A locked package's dependencies: from the store's record of the locked digest, else from the installed folder. */
async function dependenciesOf(state: OperationState, name: string): Promise<Readonly<Record<string, string>>> {
  const cached = state.dependencies.get(name);
  if (cached) return cached;
  const locked = state.current!.lock.packages[name]!;
  const record = await state.source.getVersion(name, locked.version);
  let deps: Readonly<Record<string, string>> | undefined;
  if (record && record.digest === locked.digest) deps = record.metadata.dependencies ?? {};
  else deps = await installedDependencies(state, name, locked);
  if (!deps) {
    throw new RegistryError(
      'E_LOCK_MISMATCH',
      record
        ? `${name}@${locked.version} has digest ${record.digest} in the store but ${locked.digest} in ${state.layout.lockfile}, and its installed folder cannot tell its dependencies`
        : `${name}@${locked.version}, named by ${state.layout.lockfile}, is not in the store and its installed folder cannot tell its dependencies`,
      { name, expected: locked.digest, found: record?.digest ?? null },
    );
  }
  state.dependencies.set(name, deps);
  return deps;
}

async function installedDependencies(state: OperationState, name: string, locked: LockedPackage): Promise<Readonly<Record<string, string>> | undefined> {
  try {
    const bytes = await readFile(path.join(packageFolder(state.layout.root, name), 'metadata.json'));
    if (bytes.length > state.source.limits.maxMetadataBytes) return undefined;
    const doc = parseStrictJson(bytes, { maxDepth: state.source.limits.maxJsonDepth, source: 'metadata.json' }) as Record<string, unknown>;
    if (doc['name'] !== name || doc['version'] !== locked.version) return undefined;
    const deps = doc['dependencies'];
    if (deps === undefined) return {};
    if (deps === null || typeof deps !== 'object' || Array.isArray(deps) || !Object.values(deps).every((r) => typeof r === 'string')) return undefined;
    return deps as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** What the lockfile says was asked for (inferred for a lockfile that did not record it). */
async function recordedOf(state: OperationState): Promise<Record<string, string>> {
  const lock = state.current?.lock;
  if (!lock) return {};
  if (lock.requirements) return { ...lock.requirements };
  const names = Object.keys(lock.packages);
  await mapLimit(names, 8, (n) => dependenciesOf(state, n));
  return inferRequirements(lock, (n) => state.dependencies.get(n) ?? {}, state.source.versioning);
}

/** install and upgrade: resolve, then compare with the lockfile and the folder. */
async function planResolved(state: OperationState): Promise<void> {
  const { input, source } = state;
  const lock = state.current?.lock;
  const recorded = await recordedOf(state);
  let requirements: Record<string, string>;
  let free: ReadonlySet<string> | 'all';
  if (input.mode === 'upgrade') {
    const names = [...new Set(input.packages ?? [])];
    if (!input.all && names.length === 0) throw new RegistryError('E_INVALID_ARGUMENT', 'upgrade needs the names of the packages to upgrade, or all: true (--all)');
    for (const n of names) if (!Object.hasOwn(lock!.packages, n)) throw notInstalled(state, n);
    requirements = recorded;
    free = input.all ? 'all' : new Set(names);
  } else {
    const given = normalizeRequirements(input.requirements, source.versioning);
    if (Object.keys(given).length === 0 && !lock) throw new RegistryError('E_LOCK_MISSING', `nothing to install: no requirements were given and ${state.layout.lockfile} does not exist`, { path: state.layout.lockfile });
    requirements = { ...recorded, ...given };
    free = new Set(Object.keys(given));
  }
  const solution = await resolveWithLock(source, requirements, lock, free, (n) => dependenciesOf(state, n));
  const records = await recordsOf(source, solution);
  state.nextRequirements = recordedRequirements(requirements, solution, source.versioning);
  const packages: Record<string, LockedPackage> = {};
  for (const [name, r] of records) packages[name] = { version: r.version, digest: r.digest };
  const next: Lockfile = { requirements: state.nextRequirements, packages };
  state.nextText = serializeLockfile(next);
  await diff(state, next);
}

/** The actions from the current lockfile and folder to `next`. */
async function diff(state: OperationState, next: Lockfile): Promise<void> {
  const lock = state.current?.lock;
  const names = Object.keys(next.packages).sort();
  const actions = await mapLimit(names, 8, async (name): Promise<Action | undefined> => {
    const want = next.packages[name]!;
    const folder = packageFolder(state.layout.root, name);
    const locked = lock && Object.hasOwn(lock.packages, name) ? lock.packages[name] : undefined;
    if (locked && locked.version === want.version && locked.digest !== want.digest) throw digestChanged(state, name, locked, want.digest);
    const expected = { name, version: locked?.version ?? want.version };
    // repair: every kept folder re-hashed, not just looked at.
    const check = state.input.repair && locked?.version === want.version ? await verifyFolder(folder, expected, state.source.limits) : await quickCheckFolder(folder, expected, state.source.limits);
    const folderExists = check.state !== 'missing';
    if (!locked) {
      if (folderExists) {
        throw new RegistryError('E_INSTALL_FOLDER_OCCUPIED', `${folder} exists, but pakt did not install it (${state.layout.lockfile} does not name ${name}); nothing was changed`, { name, path: folder });
      }
      return { kind: 'add', name, ...want, folderExists };
    }
    if (locked.version !== want.version) return { kind: 'change', name, ...want, previous: locked, folderExists };
    if (check.state === 'ok') return undefined;
    return { kind: 'repair', name, ...want, previous: locked, folderExists };
  });
  state.actions = actions.filter((a): a is Action => a !== undefined);
  state.unchanged = names.length - state.actions.length;
  for (const [name, locked] of Object.entries(lock?.packages ?? {})) {
    if (Object.hasOwn(next.packages, name)) continue;
    const folderExists = await stat(packageFolder(state.layout.root, name)).then(() => true, () => false);
    state.actions.push({ kind: 'remove', name, ...locked, folderExists });
  }
}

function digestChanged(state: OperationState, name: string, locked: LockedPackage, found: Digest): RegistryError {
  return new RegistryError(
    'E_LOCK_MISMATCH',
    `${name}@${locked.version} has other bytes in the store than ${state.layout.lockfile} recorded\n  Wanted: ${locked.digest}\n  Found:  ${found}\nnothing was changed`,
    { name, expected: locked.digest, found },
  );
}

function notInstalled(state: OperationState, name: string): RegistryError {
  return new RegistryError('E_INSTALL_NOT_INSTALLED', `${name} is not installed in ${state.layout.root}`, { name, path: state.layout.root });
}

/** remove: drop root requirements, keep what the rest still needs (at the versions locked). */
async function planRemove(state: OperationState): Promise<void> {
  const lock = state.current!.lock;
  const recorded = await recordedOf(state);
  const names = [...new Set(state.input.packages ?? [])];
  if (names.length === 0) throw new RegistryError('E_INVALID_ARGUMENT', 'remove needs the names of the packages to remove');
  for (const name of names) {
    if (!Object.hasOwn(lock.packages, name)) throw notInstalled(state, name);
    if (!Object.hasOwn(recorded, name)) {
      const dependents: string[] = [];
      for (const other of Object.keys(lock.packages).sort()) {
        if (other !== name && Object.hasOwn(await dependenciesOf(state, other), name)) dependents.push(`${other}@${lock.packages[other]!.version}`);
      }
      throw new RegistryError('E_INSTALL_STILL_NEEDED', `${name} is installed as a dependency of ${dependents.join(', ') || 'other packages'}, not as a requirement of its own; nothing was removed`, { name, dependents });
    }
  }
  const requirements: Record<string, string> = {};
  for (const [n, r] of Object.entries(recorded)) if (!names.includes(n)) requirements[n] = r;
  const keep = new Set<string>();
  const stack = Object.keys(requirements);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (keep.has(n) || !Object.hasOwn(lock.packages, n)) continue;
    keep.add(n);
    stack.push(...Object.keys(await dependenciesOf(state, n)));
  }
  state.stillNeeded = names.filter((n) => keep.has(n));
  const packages: Record<string, LockedPackage> = {};
  for (const n of keep) packages[n] = lock.packages[n]!;
  state.nextRequirements = requirements;
  state.nextText = serializeLockfile({ requirements, packages });
  state.unchanged = keep.size;
  for (const [name, locked] of Object.entries(lock.packages)) {
    if (keep.has(name)) continue;
    const folderExists = await stat(packageFolder(state.layout.root, name)).then(() => true, () => false);
    state.actions.push({ kind: 'remove', name, ...locked, folderExists });
  }
}

/** --frozen: exactly the lockfile, checked against the store and the folder, never resolved. */
async function planFrozen(state: OperationState): Promise<void> {
  const { source } = state;
  const lock = state.current!.lock;
  const file = state.layout.lockfile;
  const recorded = await recordedOf(state);
  const given = normalizeRequirements(state.input.requirements, source.versioning);
  for (const [name, range] of Object.entries(given)) {
    if (!Object.hasOwn(recorded, name)) throw new RegistryError('E_LOCK_MISMATCH', `${name} is not a requirement recorded in ${file}; without --frozen, the install would add it`, { name });
    if (range !== 'latest' && range !== recorded[name]) {
      throw new RegistryError('E_LOCK_MISMATCH', `${name}@${range} differs from the requirement ${name}@${recorded[name]} recorded in ${file}`, { name, expected: recorded[name], found: range });
    }
  }
  const names = Object.keys(lock.packages).sort();
  const records = await mapLimit(names, 8, async (name) => {
    const locked = lock.packages[name]!;
    const record = await source.getVersion(name, locked.version);
    if (!record) throw new RegistryError('E_LOCK_MISMATCH', `${name}@${locked.version}, named by ${file}, is not in the store`, { name, expected: locked.version });
    if (record.digest !== locked.digest) throw digestChanged(state, name, locked, record.digest);
    return record;
  });
  records.forEach((r) => state.dependencies.set(r.name, r.metadata.dependencies ?? {}));
  // The lockfile must be a whole tree: every dependency locked at a version in its range.
  for (const r of records) {
    for (const [dep, range] of Object.entries(r.metadata.dependencies ?? {})) {
      const locked = lock.packages[dep];
      if (!locked) throw new RegistryError('E_LOCK_MISMATCH', `${r.name}@${r.version} depends on ${dep} ${range}, which ${file} does not name`, { name: r.name, dependency: dep });
      if (!source.versioning.satisfies(locked.version, range)) {
        throw new RegistryError('E_LOCK_MISMATCH', `${r.name}@${r.version} depends on ${dep} ${range}, but ${file} locks ${dep}@${locked.version}`, { name: r.name, dependency: dep, expected: range, found: locked.version });
      }
    }
  }
  for (const [name, range] of Object.entries(recorded)) {
    if (!source.versioning.satisfies(lock.packages[name]!.version, range)) {
      throw new RegistryError('E_LOCK_MISMATCH', `${file} requires ${name}@${range} but locks ${name}@${lock.packages[name]!.version}`, { name, expected: range, found: lock.packages[name]!.version });
    }
  }
  state.nextRequirements = recorded;
  state.nextText = null;
  state.actions = await mapLimit(names, 8, async (name): Promise<Action> => {
    const locked = lock.packages[name]!;
    const folder = packageFolder(state.layout.root, name);
    const check = await quickCheckFolder(folder, { name, version: locked.version }, source.limits);
    if (check.state === 'mismatch') {
      throw new RegistryError('E_LOCK_MISMATCH', `${folder} does not hold ${name}@${locked.version} as ${file} says: ${check.problems[0]}`, { name, path: folder, problems: check.problems });
    }
    return { kind: check.state === 'ok' ? 'verify' : 'add', name, ...locked, folderExists: false };
  });
  state.unchanged = state.actions.filter((a) => a.kind === 'verify').length;
}

// ─── running ─────────────────────────────────────────────────────────────────────────────────

/** The install folder exists (an install creates it); returns whether it was created now. */
async function prepareRoot(layout: InstallLayout, mode: OperationMode): Promise<boolean> {
  let info;
  try {
    info = await stat(layout.root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toRegistryError(err, 'E_IO', `cannot read ${layout.root}`);
    if (mode !== 'install') throw lockMissing(layout, mode);
    await mkdir(layout.root, { recursive: true }).catch((e: unknown) => {
      throw toRegistryError(e, 'E_IO', `cannot create ${layout.root}`);
    });
    return true;
  }
  if (!info.isDirectory()) throw new RegistryError('E_INVALID_ARGUMENT', `${layout.root} is not a folder`, { path: layout.root });
  return false;
}

/** Runs one operation on the folder `input.into`; the registry's events are raised through `hooks`. */
export async function runOperation(source: InstallSource, input: OperationInput, hooks: InstallHooks = {}): Promise<InstallResult> {
  if (typeof input?.into !== 'string' || input.into === '') throw new RegistryError('E_INVALID_ARGUMENT', 'install operations need `into`, the folder to install into');
  const layout = layoutOf(input.into);
  const created = await prepareRoot(layout, input.mode);
  let lock;
  try {
    lock = await acquireFolderLock(layout, input.lockTimeoutMs === undefined ? {} : { timeoutMs: input.lockTimeoutMs });
  } catch (err) {
    if (created) await rmdir(layout.root).catch(() => undefined);
    throw err;
  }
  const op = operationId();
  const state: OperationState = {
    input,
    source,
    layout,
    op,
    opDir: path.join(layout.tmp, op),
    fsync: input.fsync ?? true,
    nextText: null,
    nextRequirements: {},
    actions: [],
    unchanged: 0,
    stillNeeded: [],
    dependencies: new Map(),
  };
  let steps;
  let failed = true;
  try {
    const plannedOnly = INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf(plan) + 1);
    steps = await runInstallSteps(input.dryRun ? plannedOnly : INSTALL_STEPS, state);
    failed = false;
  } finally {
    // Kept only when a failed rollback left the journal: the next run needs the parked folders.
    const journalLeft = await stat(layout.journal).then(() => true, () => false);
    if (!journalLeft) await rm(state.opDir, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
    // A folder this operation created and left empty (it failed, or was a dry run) goes again.
    if (created && (failed || input.dryRun)) await rmdir(layout.root).catch(() => undefined);
  }
  const result = resultOf(state, steps);
  if (!input.dryRun) {
    for (const a of state.actions) {
      if (a.kind === 'remove') hooks.onUninstalled?.({ into: layout.root, name: a.name, version: a.version, digest: a.digest });
      else hooks.onInstalled?.({ into: layout.root, name: a.name, version: a.version, digest: a.digest, path: packageFolder(layout.root, a.name), ...(a.previous && a.previous.version !== a.version ? { previous: a.previous.version } : {}) });
    }
  }
  return result;
}

function resultOf(state: OperationState, steps: InstallResult['steps']): InstallResult {
  const ref = (a: Action) => ({ name: a.name, version: a.version, digest: a.digest });
  return {
    into: state.layout.root,
    lockfile: state.layout.lockfile,
    dryRun: state.input.dryRun === true,
    added: state.actions.filter((a) => a.kind === 'add').map(ref),
    changed: state.actions.filter((a) => a.kind === 'change').map((a) => ({ name: a.name, from: a.previous!.version, to: a.version, digest: a.digest })),
    repaired: state.actions.filter((a) => a.kind === 'repair').map(ref),
    removed: state.actions.filter((a) => a.kind === 'remove').map(ref),
    unchanged: state.unchanged,
    stillNeeded: state.stillNeeded,
    requirements: state.nextRequirements,
    steps,
  };
}
