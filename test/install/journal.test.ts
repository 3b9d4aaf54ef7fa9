/**
 * The commit journal, state by state: an operation interrupted after any one of its moves (or
 * after the lockfile write) is rolled back to exactly the state before it, and rolling back
 * twice changes nothing more.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitJournal, recoverFolder, rollback, type Journal } from '../../src/install/journal.js';
import { layoutOf, type InstallLayout } from '../../src/install/layout.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { contents } from './helpers.js';

let dir: string;
let layout: InstallLayout;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-journal-'));
  layout = layoutOf(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function folder(rel: string, marker: string): void {
  mkdirSync(path.join(dir, rel), { recursive: true });
  writeFileSync(path.join(dir, rel, 'marker'), marker);
}

/**
 * The folder before: a@1 and @s/b@1 installed, c@1 installed; the operation replaces a and @s/b,
 * removes c and adds d, all staged in tmp/op.
 */
function setUp(): Journal {
  folder('a', 'a1');
  folder('@s/b', 'b1');
  folder('c', 'c1');
  writeFileSync(layout.lockfile, 'OLD LOCK\n');
  folder('.pakt-install/tmp/op/stage/0', 'a2');
  folder('.pakt-install/tmp/op/stage/1', 'b2');
  folder('.pakt-install/tmp/op/stage/2', 'd1');
  const old = (n: string) => `.pakt-install/tmp/op/old/${n}`;
  return {
    version: 1,
    op: '.pakt-install/tmp/op',
    fromText: 'OLD LOCK\n',
    toText: 'NEW LOCK\n',
    moves: [
      { name: '@s/b', parked: old('@s/b'), staged: '.pakt-install/tmp/op/stage/1' },
      { name: 'a', parked: old('a'), staged: '.pakt-install/tmp/op/stage/0' },
      { name: 'c', parked: old('c') },
      { name: 'd', staged: '.pakt-install/tmp/op/stage/2' },
    ],
  };
}

const before = new Map([
  ['@s/b/marker', 'b1'],
  ['a/marker', 'a1'],
  ['c/marker', 'c1'],
  ['pakt-lock.json', 'OLD LOCK\n'],
]);
const after = new Map([
  ['@s/b/marker', 'b2'],
  ['a/marker', 'a2'],
  ['d/marker', 'd1'],
  ['pakt-lock.json', 'NEW LOCK\n'],
]);

function visible(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, bytes] of contents(dir)) if (!rel.startsWith('.pakt-install')) out.set(rel, bytes.toString());
  return out;
}

/** Applies the first `n` single moves of a commit by hand (each rename is one step). */
function partial(journal: Journal, n: number): void {
  let done = 0;
  for (const m of journal.moves) {
    if (m.parked) {
      if (done++ >= n) return;
      mkdirSync(path.dirname(path.join(dir, m.parked)), { recursive: true });
      renameSync(path.join(dir, m.name), path.join(dir, m.parked));
    }
    if (m.staged) {
      if (done++ >= n) return;
      if (m.name.startsWith('@')) mkdirSync(path.join(dir, m.name.split('/')[0]!), { recursive: true });
      renameSync(path.join(dir, m.staged), path.join(dir, m.name));
    }
  }
}

describe('rollback', () => {
  for (let n = 0; n <= 6; n++) {
    it(`after ${n} of the 6 moves: the state before, whole`, async () => {
      const journal = setUp();
      await writeFileAtomic(layout.journal, JSON.stringify(journal), { tmpDir: layout.tmp });
      partial(journal, n);
      expect(await recoverFolder(layout, false)).toMatchObject({ rolledBack: true });
      expect(visible()).toEqual(before);
      expect(existsSync(layout.journal)).toBe(false);
      expect(existsSync(layout.tmp) ? contents(layout.tmp).size : 0).toBe(0);
      // Twice is harmless.
      expect(await recoverFolder(layout, false)).toMatchObject({ rolledBack: false });
      expect(visible()).toEqual(before);
    });
  }

  it('after every move and the new lockfile, but before the journal went: the state before', async () => {
    const journal = setUp();
    await writeFileAtomic(layout.journal, JSON.stringify(journal), { tmpDir: layout.tmp });
    partial(journal, 6);
    writeFileSync(layout.lockfile, 'NEW LOCK\n');
    await recoverFolder(layout, false);
    expect(visible()).toEqual(before);
  });

  it('a rollback interrupted half-way finishes the next time', async () => {
    const journal = setUp();
    await writeFileAtomic(layout.journal, JSON.stringify(journal), { tmpDir: layout.tmp });
    partial(journal, 6);
    // Half undone by hand: d back to its staged place, nothing else.
    renameSync(path.join(dir, 'd'), path.join(dir, journal.moves[3]!.staged!));
    await rollback(layout, journal, false);
    expect(visible()).toEqual(before);
  });

  it('a first install interrupted leaves no lockfile behind', async () => {
    folder('.pakt-install/tmp/op/stage/0', 'a1');
    const journal: Journal = { version: 1, op: '.pakt-install/tmp/op', fromText: null, toText: 'NEW\n', moves: [{ name: 'a', staged: '.pakt-install/tmp/op/stage/0' }] };
    await writeFileAtomic(layout.journal, JSON.stringify(journal), { tmpDir: layout.tmp });
    partial(journal, 1);
    writeFileSync(layout.lockfile, 'NEW\n');
    await recoverFolder(layout, false);
    expect(visible()).toEqual(new Map());
  });
});

describe('commit', () => {
  it('applies every move and the lockfile, removes the journal', async () => {
    const journal = setUp();
    await commitJournal(layout, journal, true);
    expect(existsSync(layout.journal)).toBe(false);
    expect(visible()).toEqual(after);
    // The replaced and removed folders wait in the operation folder until the caller removes it.
    expect(readFileSync(path.join(dir, '.pakt-install/tmp/op/old/c/marker'), 'utf8')).toBe('c1');
  });

  it('refuses to read a journal it did not write, and leaves the folder as it is', async () => {
    setUp();
    mkdirSync(layout.work, { recursive: true });
    writeFileSync(layout.journal, '{"hand": "edited"}');
    await expect(recoverFolder(layout, false)).rejects.toMatchObject({ code: 'E_IO' });
    expect(visible()).toEqual(before);
  });
});
