import { closeSync } from 'node:fs';

/** Closes a descriptor whose data is already settled (flushed, or only read): a failed close loses nothing. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing was pending on it
  }
}
