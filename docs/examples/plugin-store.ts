/**
 * A worked example (docs/install.md): an editor that uses a pakt store as its plugin store.
 *
 * The editor keeps its plugins in `<app>/plugins`, one folder per plugin, installed and
 * upgraded through the registry; it loads every installed plugin at start-up from what
 * `listInstalled` reports, never by scanning the folder itself.
 *
 * It imports pakt by its package name, as your project would. Plugin authors build their
 * packages with `pakt pack <folder>`; so that this example runs on its own, it packs two plugins
 * itself. test/install/docs-example.test.ts runs it.
 *
 *   node dist/docs/examples/plugin-store.js [app-folder]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openRegistry, packDirectory, type CoreRegistryManager, type InstalledEvent } from 'pakt';

/** What a plugin's lib/plugin.mjs exports; the editor calls activate() once it is loaded. */
interface PluginModule {
  activate(editor: Editor): void;
}

/** The part of the editor that plugins see. */
export class Editor {
  readonly commands = new Map<string, (text: string) => string>();
  readonly log: string[] = [];

  registerCommand(name: string, run: (text: string) => string): void {
    this.commands.set(name, run);
  }

  run(command: string, text: string): string {
    const c = this.commands.get(command);
    if (!c) throw new Error(`no command '${command}'`);
    return c(text);
  }
}

/** The editor's plugin store: one registry, one plugins folder. */
export class PluginStore {
  constructor(
    readonly registry: CoreRegistryManager,
    readonly folder: string,
  ) {}

  /** Installs plugins (with their dependencies); `onProgress` can drive a progress bar. */
  async add(...plugins: string[]): Promise<void> {
    await this.registry.install({
      into: this.folder,
      requirements: plugins,
      onProgress: (p) => {
        if (p.phase === 'extract') this.say(`installing ${p.done}/${p.total}: ${p.name}`);
      },
    });
  }

  /** Updates every plugin as far as the recorded ranges allow. */
  async update(): Promise<string[]> {
    const r = await this.registry.upgradeInstalled({ into: this.folder, all: true });
    return r.changed.map((c) => `${c.name} ${c.from} → ${c.to}`);
  }

  async remove(plugin: string): Promise<void> {
    await this.registry.removeInstalled({ into: this.folder, packages: [plugin] });
  }

  /** Loads every installed plugin that is a root requirement (dependencies are libraries). */
  async load(editor: Editor): Promise<string[]> {
    const installed = await this.registry.listInstalled(this.folder);
    const loaded: string[] = [];
    for (const p of installed.packages) {
      if (p.requirement === undefined) continue;
      if (p.state !== 'ok') {
        this.say(`skipping ${p.name}: ${p.problems.join('; ')}`);
        continue;
      }
      // A query string per version, so an upgraded plugin is not served from the module cache.
      const url = `${pathToFileURL(path.join(p.path, 'lib', 'plugin.mjs')).href}?v=${p.version}`;
      const mod = (await import(url)) as PluginModule;
      mod.activate(editor);
      loaded.push(`${p.name}@${p.version}`);
    }
    return loaded;
  }

  private say(line: string): void {
    this.lines.push(line);
  }

  readonly lines: string[] = [];
}

/** Writes a plugin's source folder and packs it, as its author would with `pakt pack`. */
async function packPlugin(dir: string, name: string, version: string, code: string, dependencies: Record<string, string> = {}): Promise<string> {
  const src = path.join(dir, `${name.replace('/', '-')}-${version}`);
  mkdirSync(path.join(src, 'lib'), { recursive: true });
  writeFileSync(path.join(src, 'metadata.json'), JSON.stringify({ name, version, description: `the ${name} plugin`, capabilities: ['editor-plugin'], dependencies }, null, 2));
  writeFileSync(path.join(src, 'lib', 'plugin.mjs'), code);
  return (await packDirectory(src, { outFile: path.join(dir, `${path.basename(src)}.zip`) })).file;
}

export interface PluginStoreRun {
  /** What the editor did, line by line. */
  log: string[];
  /** The result of running the word-count command on a sample text, before and after the update. */
  counts: [string, string];
}

/** The whole story: publish plugins, install, load, use, update, reload, remove. */
export async function runPluginStore(appDir: string): Promise<PluginStoreRun> {
  const registry = await openRegistry({ path: path.join(appDir, 'store') });
  const store = new PluginStore(registry, path.join(appDir, 'plugins'));
  const events: string[] = [];
  const onInstalled = (e: InstalledEvent) => events.push(`installed ${e.name}@${e.version}${e.previous ? ` (was ${e.previous})` : ''}`);
  registry.on('installed', onInstalled);
  registry.on('uninstalled', (e) => events.push(`uninstalled ${e.name}@${e.version}`));
  try {
    const authors = path.join(appDir, 'authors');
    mkdirSync(authors, { recursive: true });
    await registry.publishPackage(await packPlugin(authors, 'word-count', '1.0.0', "export function activate(editor) {\n  editor.registerCommand('word-count', (text) => `${text.split(/\\s+/).filter(Boolean).length} words`);\n}\n"));
    await registry.publishPackage(await packPlugin(authors, 'shout', '1.0.0', "export function activate(editor) {\n  editor.registerCommand('shout', (text) => text.toUpperCase());\n}\n"));

    await store.add('word-count', 'shout');
    let editor = new Editor();
    const first = await store.load(editor);
    const sample = 'a plugin store in   five words';
    const before = editor.run('word-count', sample);

    // A new version is published; the editor updates and reloads.
    await registry.publishPackage(await packPlugin(authors, 'word-count', '1.1.0', "export function activate(editor) {\n  editor.registerCommand('word-count', (text) => `${text.split(/\\s+/).filter(Boolean).length} words, ${text.length} characters`);\n}\n"));
    const updated = await store.update();
    editor = new Editor();
    const second = await store.load(editor);
    const after = editor.run('word-count', sample);

    await store.remove('shout');
    const third = await store.load(new Editor());
    return {
      log: [`loaded ${first.join(', ')}`, `updated ${updated.join(', ')}`, `loaded ${second.join(', ')}`, `loaded ${third.join(', ')}`, ...events, ...store.lines],
      counts: [before, after],
    };
  } finally {
    await registry.close();
  }
}

// Run as a script: the story in a fresh folder (or the one given), printed.
const self = pathToFileURL(process.argv[1] ?? '').href;
if (import.meta.url === self) {
  const dir = process.argv[2] ?? mkdtempSync(path.join(os.tmpdir(), 'plugin-store-'));
  runPluginStore(dir).then(
    (r) => process.stdout.write(`${[...r.log, ...r.counts].join('\n')}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
