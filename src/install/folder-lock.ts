/**
 * One operation at a time per install folder, across processes: `<into>/.pakt-install/lock`
 * names its holder (pid, host, a nonce). It is created whole or not at all (written to a temp
 * name, then hard-linked into place, which fails if a lock exists), so a reader never sees a
 * half-written lock.
 *
 * A lock whose process no longer runs on this host (killed, crashed) is stale and is taken over.
 * Taking over is serialised by a second, short-lived `lock.break` file, so two processes that
 * find the same stale lock cannot both remove it (one of them would remove the other's new
 * lock); a `lock.break` left by a process killed while breaking is ignored after 10 seconds.
 * A lock held by a process on another host (a folder on a network share) cannot be judged: it
 * is waited for, then refused with E_INSTALL_BUSY naming its holder.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError, toRegistryError } from '../errors.js';
import type { InstallLayout } from './layout.js';

export interface FolderLockOptions {
  /** How long to wait for another process's lock (default 60 s). */
  timeoutMs?: number;
  /** Between two attempts (default 50 ms). */
  pollMs?: number;
}

export interface FolderLock {
  /** Gives the folder back; removes the working area when it is empty. */
  release(): Promise<void>;
}

/** Who holds a folder's lock: written into the lock file, named by E_INSTALL_BUSY. */
export interface Holder {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

const BREAK_STALE_MS = 10_000;
const TEMP_LOCK = /^lock-(\d+)-[0-9a-f]{12}\.new$/;

export async function acquireFolderLock(layout: InstallLayout, options: FolderLockOptions = {}): Promise<FolderLock> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 50;
  const me: Holder = { pid: process.pid, host: os.hostname(), nonce: randomBytes(12).toString('hex'), since: new Date().toISOString() };
  const text = JSON.stringify(me);
  const started = Date.now();
  for (;;) {
    if (await tryCreate(layout, text)) return { release: () => release(layout, me.nonce) };
    const seen = await readHolder(layout.lock);
    if (seen === undefined) {
      // Released meanwhile: try again soon (bounded, so a folder that keeps vanishing cannot spin).
      if (Date.now() - started >= timeoutMs) throw new RegistryError('E_INSTALL_BUSY', `could not take the lock of ${layout.root} within ${Math.round(timeoutMs / 1000)} s`, { path: layout.root, holder: null });
      await sleep(1);
      continue;
    }
    if (isStale(seen.holder)) {
      await breakStale(layout.lock, seen.text);
      continue;
    }
    if (Date.now() - started >= timeoutMs) {
      const h = seen.holder;
      throw new RegistryError(
        'E_INSTALL_BUSY',
        `another operation holds ${layout.root}${h ? ` (process ${h.pid} on ${h.host}, since ${h.since})` : ''}; waited ${Math.round(timeoutMs / 1000)} s`,
        { path: layout.root, holder: h ?? null },
      );
    }
    await sleep(pollMs);
  }
}

/** Creates the lock whole; false when another holder has it. */
async function tryCreate(layout: InstallLayout, text: string): Promise<boolean> {
  const temp = path.join(layout.work, `lock-${process.pid}-${randomBytes(6).toString('hex')}.new`);
  try {
    // Not recursive: the install folder exists, and a recursive mkdir reports a read-only
    // filesystem as ENOENT, which would read as "released meanwhile, try again".
    await mkdir(layout.work).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (err) {
    // The working area was removed by a holder releasing it just now: try again.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw toRegistryError(err, 'E_IO', `cannot create the lock of ${layout.root}`);
  }
  try {
    await link(temp, layout.lock);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createExclusive(layout.lock, text);
    throw toRegistryError(err, 'E_IO', `cannot create the lock of ${layout.root}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** For filesystems without hard links: exclusive create, then write (a reader may see it empty). */
async function createExclusive(file: string, text: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw toRegistryError(err, 'E_IO', `cannot create the lock ${file}`);
  }
}

async function readHolder(file: string): Promise<{ text: string; holder: Holder | undefined; mtimeMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let holder: Holder | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Holder>;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.nonce === 'string') holder = parsed as Holder;
    } catch {
      holder = undefined;
    }
    // An unreadable lock (being written without hard links, or damaged) counts as stale once old.
    if (holder === undefined && Date.now() - info.mtimeMs > BREAK_STALE_MS) holder = { pid: -1, host: os.hostname(), nonce: '', since: new Date(info.mtimeMs).toISOString() };
    return { text, holder, mtimeMs: info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toRegistryError(err, 'E_IO', `cannot read the lock ${file}`);
  }
}

function isStale(holder: Holder | undefined): boolean {
  if (holder === undefined) return false;
  if (holder.host !== os.hostname()) return false;
  return holder.pid === -1 || !processIsAlive(holder.pid);
}

export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock if it still holds `seenText`, one breaker at a time. */
async function breakStale(lockFile: string, seenText: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  try {
    const handle = await open(breaker, 'wx');
    await handle.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toRegistryError(err, 'E_IO', `cannot take over the stale lock ${lockFile}`);
    const info = await stat(breaker).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > BREAK_STALE_MS) await unlink(breaker).catch(() => undefined);
    else await sleep(10);
    return;
  }
  try {
    const now = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (now === seenText) await unlink(lockFile).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function release(layout: InstallLayout, nonce: string): Promise<void> {
  const now = await readFile(layout.lock, 'utf8').catch(() => undefined);
  if (now !== undefined && now.includes(`"nonce":"${nonce}"`)) {
    // tmp/ first, while the lock still keeps the next holder out of it.
    await rmdir(layout.tmp).catch(() => undefined);
    await unlink(layout.lock).catch((err: unknown) => {
      throw toRegistryError(err, 'E_IO', `cannot release the lock ${layout.lock}`);
    });
  }
  // Gone only when empty: a waiting process may already have put its lock there.
  await rmdir(layout.work).catch(() => undefined);
}

/** Temp lock files (`lock-<pid>-<hex>.new`) of processes that no longer run, for the sweep. */
export function isDeadTempLock(name: string): boolean {
  const m = TEMP_LOCK.exec(name);
  return m !== null && Number(m[1]) !== process.pid && !processIsAlive(Number(m[1]));
}
