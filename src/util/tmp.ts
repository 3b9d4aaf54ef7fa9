/**
 * Temporary files: unique names inside a given folder, and a sweep of the ones a crashed process
 * left behind.
 *
 * Names look like `pakt-<pid>-<12 random hex>.tmp`. They are unique per call (not per process),
 * so two writes from one process never share a file. The pid lets a sweep recognise a leftover
 * of a dead process at once; files of live processes are kept until they are older than
 * `olderThanMs`, since a large publish may legitimately keep its temp file for a while.
 * The sweep only ever removes names of this exact shape: other files in the folder are left alone.
 */
import { randomBytes } from 'node:crypto';
import { lstat, opendir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toRegistryError } from '../errors.js';

const TEMP_NAME = /^pakt-(\d+)-[0-9a-f]{12}\.tmp$/;

/** A fresh, unused-by-construction temp path inside `dir` (the file is not created). */
export function tempPath(dir: string): string {
  return join(dir, tempName());
}

export function tempName(): string {
  return `pakt-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

export interface SweepOptions {
  /** Files of a still-running process are removed only when older than this (default 24 hours). */
  olderThanMs?: number;
  /** The clock, injectable for tests (default Date.now). */
  now?: () => number;
  /** Whether a pid belongs to a running process (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
}

export interface SweepResult {
  /** Paths removed. */
  removed: string[];
  /** Bytes freed. */
  bytesFreed: number;
  /** Temp files kept because their process may still be using them. */
  kept: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Removes stale temp files from `dir`; a missing folder is an empty sweep. */
export async function sweepTempDir(dir: string, options: SweepOptions = {}): Promise<SweepResult> {
  const olderThanMs = options.olderThanMs ?? DAY_MS;
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processIsAlive;
  const result: SweepResult = { removed: [], bytesFreed: 0, kept: 0 };
  let entries;
  try {
    entries = await opendir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw toRegistryError(err, 'E_IO', `cannot list temp folder ${dir}`);
  }
  try {
    for await (const entry of entries) {
      const match = TEMP_NAME.exec(entry.name);
      if (!match) continue;
      const path = join(dir, entry.name);
      const info = await lstat(path).catch(() => undefined);
      if (!info) continue; // removed meanwhile by its owner
      const pid = Number(match[1]);
      const deadOwner = pid !== process.pid && !isAlive(pid);
      const old = now() - info.mtimeMs > olderThanMs;
      if (!deadOwner && !old) {
        result.kept++;
        continue;
      }
      await rm(path, { force: true, recursive: true });
      result.removed.push(path);
      result.bytesFreed += info.isFile() ? info.size : 0;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot sweep temp folder ${dir}`);
  }
  return result;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
