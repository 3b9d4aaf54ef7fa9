/**
 * Where the manager keeps temporary files: the storage provider's temp folder (same filesystem,
 * so storing an archive is a rename), else the OS temp folder. File names come from src/util/tmp
 * (`pakt-<pid>-<random>.tmp`), so `verify` and `gc` can sweep what a killed process left behind
 * without touching the files of a process that is still running.
 */
import { mkdir } from 'node:fs/promises';
import { sweepTempDir, tempPath } from '../util/tmp.js';

export class TempArea {
  private made = false;

  constructor(readonly dir: string) {}

  /** A fresh path in the folder, which is created on first use (the file itself is not). */
  async path(): Promise<string> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    return tempPath(this.dir);
  }

  /** Removes temp files of dead processes (and any older than a day); returns how many. */
  async sweep(): Promise<{ removed: number; bytesFreed: number }> {
    const swept = await sweepTempDir(this.dir);
    return { removed: swept.removed.length, bytesFreed: swept.bytesFreed };
  }
}
