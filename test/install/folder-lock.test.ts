import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFolderLock } from '../../src/install/folder-lock.js';
import { layoutOf, type InstallLayout } from '../../src/install/layout.js';
import { expectCode } from '../helpers/expect-code.js';

let dir: string;
let layout: InstallLayout;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-lock-'));
  layout = layoutOf(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that is not running: a child that has exited. */
function deadPid(): number {
  for (let pid = 2 ** 22 - 1; pid > 1000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid found');
}

describe('the folder lock', () => {
  it('is one holder at a time within a process, in turn, and leaves nothing behind', async () => {
    const order: string[] = [];
    const first = await acquireFolderLock(layout);
    const second = acquireFolderLock(layout, { pollMs: 5 }).then((l) => {
      order.push('second');
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second']);
    expect(existsSync(layout.work)).toBe(false);
  });

  it('takes over the lock of a process that no longer runs', async () => {
    mkdirSync(layout.work, { recursive: true });
    writeFileSync(layout.lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), nonce: 'x', since: 'then' }));
    const lock = await acquireFolderLock(layout, { timeoutMs: 1000 });
    expect(JSON.parse(readFileSync(layout.lock, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('waits for a lock of another host (it cannot tell whether it runs), then E_INSTALL_BUSY', async () => {
    mkdirSync(layout.work, { recursive: true });
    writeFileSync(layout.lock, JSON.stringify({ pid: deadPid(), host: `not-${os.hostname()}`, nonce: 'x', since: 'then' }));
    const err = await expectCode(() => acquireFolderLock(layout, { timeoutMs: 100, pollMs: 10 }), 'E_INSTALL_BUSY');
    expect(err.message).toContain(`on not-${os.hostname()}`);
  });

  it('treats an unreadable lock as being written at first, as stale once old', async () => {
    mkdirSync(layout.work, { recursive: true });
    writeFileSync(layout.lock, '');
    await expectCode(() => acquireFolderLock(layout, { timeoutMs: 100, pollMs: 10 }), 'E_INSTALL_BUSY');
    const old = new Date(Date.now() - 60_000);
    utimesSync(layout.lock, old, old);
    await (await acquireFolderLock(layout, { timeoutMs: 1000 })).release();
  });

  it('lets one of many processes-worth of waiters break a stale lock, never two at once', async () => {
    mkdirSync(layout.work, { recursive: true });
    writeFileSync(layout.lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), nonce: 'x', since: 'then' }));
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const lock = await acquireFolderLock(layout, { pollMs: 2 });
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside -= 1;
        await lock.release();
      }),
    );
    expect(most).toBe(1);
  });
});
