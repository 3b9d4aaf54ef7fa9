/**
 * The CLI where it used to surprise (issue #11, item 6), and its help for the commands to come.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_GROUPS } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { tempStore, type TempStore } from '../core/helpers.js';
import { cliRunner } from './helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = tempStore();
  await pakt(['init']);
});
afterEach(() => t.cleanup());

const pakt = cliRunner({ cwd: () => t.dir, store: () => t.store });

describe('bulk publish goes on and reports every outcome', () => {
  it('publishes a and c around a refused b, lists all three, exits 1, and says why b failed', async () => {
    const a = await t.pkg('a', '1.0.0');
    const bad = path.join(t.dir, 'bad.zip');
    writeFileSync(bad, 'not a zip at all');
    const c = await t.pkg('c', '1.0.0');
    const r = await pakt(['publish', a.file, bad, c.file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^published  a@1\.0\.0 /m);
    expect(r.stdout).toMatch(/^failed     bad\.zip  E_PKG_NOT_ZIP$/m);
    expect(r.stdout).toMatch(/^published  c@1\.0\.0 /m);
    expect(r.stdout).toContain('1 package of 3 not published; 2 published, 0 unchanged');
    expect(r.stderr).toMatch(/^error\[E_PKG_NOT_ZIP\]: bad\.zip: /m);
    expect((await pakt(['info', 'c', '--json'])).json.version).toBe('1.0.0');
  });

  it('--json: the error document of the first failure, with every package in results', async () => {
    const a = await t.pkg('a', '1.0.0');
    const bad = path.join(t.dir, 'bad.zip');
    writeFileSync(bad, 'nope');
    const r = await pakt(['publish', a.file, bad, path.join(t.dir, 'missing.zip'), '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'E_PKG_NOT_ZIP', message: expect.stringMatching(/^2 packages of 3 not published; first: bad\.zip: /) });
    expect(r.json.error.results.map((x: { status: string }) => x.status)).toEqual(['published', 'failed', 'failed']);
    expect(r.json.error.results[0]).toMatchObject({ name: 'a', version: '1.0.0', status: 'published' });
    expect(r.json.error.results[2]).toMatchObject({ file: path.join(t.dir, 'missing.zip').replace(`${t.dir}/`, ''), error: { code: 'E_INPUT_NOT_FOUND' } });
    // One refused package alone keeps the plain error document, as before.
    const one = await pakt(['publish', bad, '--json']);
    expect(one.json.error).toMatchObject({ code: 'E_PKG_NOT_ZIP', message: expect.stringMatching(/^bad\.zip: /), results: [{ status: 'failed' }] });
  });

  it('--fail-fast stops at the first refusal; what came before stays published', async () => {
    const a = await t.pkg('a', '1.0.0');
    const bad = path.join(t.dir, 'bad.zip');
    writeFileSync(bad, 'nope');
    const c = await t.pkg('c', '1.0.0');
    const r = await pakt(['publish', a.file, bad, c.file, '--fail-fast', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.results.map((x: { status: string }) => x.status)).toEqual(['published', 'failed']);
    expect(r.json.error.message).toContain('(1 not tried: --fail-fast)');
    expect((await pakt(['info', 'c'])).code).toBe(1);
    expect((await pakt(['info', 'a'])).code).toBe(0);
  });
});

describe('download', () => {
  it('-o - writes the verified archive to stdout and nothing else; with --json it is a usage error', async () => {
    const a = await t.pkg('left-pad', '1.0.0');
    await pakt(['publish', a.file]);
    const r = await pakt(['download', 'left-pad', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.equals(readFileSync(a.file))).toBe(true);
    expect(r.stderr).toContain('left-pad@1.0.0');
    expect(r.stderr).toContain('written to stdout');
    const quiet = await pakt(['download', 'left-pad', '-o', '-', '--quiet']);
    expect(quiet.stderr).toBe('');
    const both = await pakt(['download', 'left-pad', '-o', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.json.error.code).toBe('E_USAGE');
  });

  it('refuses to overwrite an existing file unless --force', async () => {
    const a = await t.pkg('left-pad', '1.0.0');
    await pakt(['publish', a.file]);
    const target = path.join(t.dir, 'left-pad-1.0.0.zip');
    writeFileSync(target, 'precious');
    const r = await pakt(['download', 'left-pad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[E_OUTPUT_EXISTS\]: .*left-pad-1\.0\.0\.zip already exists/);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(target, 'utf8')).toBe('precious');
    const forced = await pakt(['download', 'left-pad', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target).equals(readFileSync(a.file))).toBe(true);
  });
});

describe('delete of every version', () => {
  it('needs --yes when not on a terminal, and deletes nothing without it', async () => {
    await pakt(['publish', (await t.pkg('left-pad', '1.0.0')).file, (await t.pkg('left-pad', '1.1.0')).file]);
    const r = await pakt(['delete', 'left-pad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[E_USAGE\]: deleting every version of left-pad \(2 versions: 1\.1\.0, 1\.0\.0\) needs --yes/);
    expect((await pakt(['versions', 'left-pad', '--json'])).json.versions).toEqual(['1.1.0', '1.0.0']);
    expect((await pakt(['delete', 'left-pad', '--yes'])).code).toBe(0);
    expect((await pakt(['versions', 'left-pad'])).code).toBe(1);
  });

  it('asks on a terminal: no keeps everything, yes deletes', async () => {
    await pakt(['publish', (await t.pkg('left-pad', '1.0.0')).file]);
    const no = await pakt(['delete', 'left-pad'], { answers: ['n'] });
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('Delete every version of left-pad (1 version: 1.0.0)? [y/N]');
    expect((await pakt(['info', 'left-pad'])).code).toBe(0);
    const yes = await pakt(['delete', 'left-pad'], { answers: ['y'] });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('deleted  left-pad@1.0.0');
    expect((await pakt(['info', 'left-pad'])).code).toBe(1);
  });

  it('warns about stored packages that depend on what it deletes', async () => {
    await pakt(['publish', (await t.pkg('lib', '1.0.0')).file, (await t.pkg('lib', '2.0.0')).file]);
    await pakt(['publish', (await t.pkg('app', '1.0.0', { dependencies: { lib: '^1.0.0' } })).file, (await t.pkg('tool', '1.0.0', { dependencies: { lib: '*' } })).file]);
    const one = await pakt(['delete', 'lib', '1.0.0', '--json']);
    expect(one.code).toBe(0);
    expect(one.stderr).toBe('warning: app@1.0.0 depends on lib ^1.0.0, which no remaining version satisfies\n');
    expect(one.json.dependents).toEqual([
      { name: 'app', version: '1.0.0', range: '^1.0.0', satisfiedBy: null },
      { name: 'tool', version: '1.0.0', range: '*', satisfiedBy: '2.0.0' },
    ]);
    const all = await pakt(['delete', 'lib'], { answers: ['y'] });
    expect(all.stderr).toContain('warning: tool@1.0.0 depends on lib *, which no remaining version satisfies');
  });
});

describe('global options and help', () => {
  it('--quiet keeps the answer of a query and silences confirmations and hints', async () => {
    const a = await t.pkg('left-pad', '1.0.0');
    expect((await pakt(['publish', a.file, '--quiet'])).stdout).toBe('');
    expect((await pakt(['info', 'left-pad', '--quiet'])).stdout).toMatch(/^left-pad@1\.0\.0\n/);
    expect((await pakt(['versions', 'left-pad', '-q'])).stdout).toContain('1.0.0');
    const missing = await pakt(['info', 'nope', '--quiet']);
    expect(missing.stderr).toMatch(/^error\[E_PACKAGE_NOT_FOUND\]: [^\n]*\n$/);
  });

  it('suggests the nearest option or command instead of a raw parser message', async () => {
    const opt = await pakt(['search', 'x', '--limt', '3']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^error\[E_USAGE\]: unknown option '--limt' for 'search'; did you mean --limit\?/);
    const cmd = await pakt(['serach', 'x']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/^error\[E_USAGE\]: unknown command 'serach'; did you mean 'search'\?/);
    const value = await pakt(['search', 'x', '--limit']);
    expect(value.stderr).toMatch(/^error\[E_USAGE\]: --limit needs a value: --limit <n>/);
    expect((await pakt(['search', 'x', '--frobnicate'])).stderr).not.toContain('did you mean');
  });

  it('an empty PAKT_STORE means the default store, ./.pakt', async () => {
    const plain = cliRunner({ cwd: () => t.dir });
    const r = await plain(['init', '--json'], { env: { PAKT_STORE: '' } });
    expect(r.json).toEqual({ store: path.join(t.dir, '.pakt') });
    expect(existsSync(path.join(t.dir, '.pakt', 'registry.db'))).toBe(true);
    expect((await plain(['--store', '', 'init'])).code).toBe(2);
  });

  it('pakt --json with no command prints JSON help', async () => {
    const r = await pakt(['--json']);
    expect(r.code).toBe(2);
    expect(r.json.usage).toBe('pakt [global options] <command> [args]');
    expect(r.json.commands.map((c: { name: string }) => c.name).sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(r.json.globalOptions.map((o: { name: string }) => o.name)).toEqual(['store', 'registry', 'offline', 'json', 'quiet', 'help', 'version']);
    const one = await pakt(['search', '--help', '--json']);
    expect(one.code).toBe(0);
    expect(one.json).toMatchObject({ name: 'search', group: 'packages', options: expect.arrayContaining([expect.objectContaining({ name: 'limit', value: '<n>' })]) });
  });

  it('pakt --help lists the commands by group, wrapped to the terminal width', async () => {
    const r = await pakt(['--help'], { tty: true, columns: 60 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${COMMAND_GROUPS.packages}:`);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const piped = await pakt(['--help']);
    expect(Math.max(...piped.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(piped.stdout).not.toBe(r.stdout);
  });

  it('pakt <command> --help lists its options a line each, then its examples', async () => {
    const r = await pakt(['download', '--help']);
    expect(r.stdout).toMatch(/^usage: pakt download /);
    expect(r.stdout).toMatch(/^ {2}-o, --output <file\|->\s+where to write the archive/m);
    expect(r.stdout).toMatch(/^ {6}--force\s+replace the file/m);
    expect(r.stdout).toMatch(/^examples:\n {2}pakt download left-pad\n/m);
    expect((await pakt(['help', 'download'])).stdout).toBe(r.stdout);
  });

  it('every command has a group and one or two examples that use it', async () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const cmd = (await load()).default;
      expect(Object.keys(COMMAND_GROUPS), name).toContain(cmd.group);
      expect(cmd.examples.length, name).toBeGreaterThanOrEqual(1);
      expect(cmd.examples.length, name).toBeLessThanOrEqual(2);
      for (const e of cmd.examples) expect(e.command, name).toMatch(new RegExp(`^pakt (--store \\S+ )?${name}\\b`));
    }
  });
});

describe('latest, counted nouns, search scores', () => {
  it('latest is the same version in info, download and resolve, also for a package of prereleases only', async () => {
    await pakt(['publish', (await t.pkg('beta-only', '1.0.0-beta.1')).file, (await t.pkg('beta-only', '1.0.0-beta.2')).file]);
    expect((await pakt(['info', 'beta-only', '--json'])).json.version).toBe('1.0.0-beta.2');
    expect((await pakt(['download', 'beta-only', '--json'])).json.version).toBe('1.0.0-beta.2');
    expect((await pakt(['resolve', 'beta-only', '--json'])).json).toEqual({ solution: { 'beta-only': '1.0.0-beta.2' } });
    expect((await pakt(['tree', 'beta-only', '--json'])).json).toMatchObject({ name: 'beta-only', version: '1.0.0-beta.2' });
  });

  it('says "1 file", not "1 files"', async () => {
    const a = await t.pkg('one', '1.0.0', { files: { 'only.txt': 'x' } });
    expect((await pakt(['validate', a.file])).stdout).toMatch(/is a valid package \(1 file, 1 B unpacked\)/);
  });

  it('search scores are positive for every real match and read "higher is better"', async () => {
    for (const [name, extra] of [['left-pad', { description: 'pad a string on the left' }], ['pad', {}], ['xyz', { description: 'nothing padded here, pad only in words' }]] as const) {
      await pakt(['publish', (await t.pkg(name, '1.0.0', extra)).file]);
    }
    const r = await pakt(['search', 'pad', '--json']);
    expect(r.json.items.length).toBeGreaterThanOrEqual(3);
    for (const item of r.json.items) expect(item.score, item.name).toBeGreaterThan(0);
    const scores = r.json.items.slice(1).map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((x: number, y: number) => y - x));
    expect((await pakt(['search', 'pad'])).stdout).not.toMatch(/ 0\.00 | -\d/);
  });
});
