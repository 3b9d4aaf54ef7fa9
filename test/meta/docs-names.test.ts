/**
 * Every name the docs show a user importing, or calling as a function, can be imported from
 * where the docs say (or at all): README.md and docs/*.md. Types are checked by the packed-host
 * test, which type-checks every import the docs show against the packed package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreRegistryManager } from '../../src/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const DOCS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];

/** Where a public specifier lives in this repository. */
function sourceOf(specifier: string): string {
  if (specifier === 'pakt') return path.join(ROOT, 'src/index.ts');
  if (specifier === 'pakt/providers') return path.join(ROOT, 'providers/index.ts');
  if (specifier === 'pakt/conformance') return path.join(ROOT, 'test/conformance/index.ts');
  if (specifier.startsWith('pakt/providers/')) return path.join(ROOT, `${specifier.slice('pakt/'.length)}.ts`);
  throw new Error(`${specifier} is not a public entry point of pakt`);
}

export interface DocImport {
  doc: string;
  specifier: string;
  names: string[];
  types: string[];
}

/** The import statements of the docs' code blocks. */
export function docImports(): DocImport[] {
  const out: DocImport[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    for (const block of text.matchAll(/```(?:ts|js|typescript)\n([\s\S]*?)```/g)) {
      for (const m of block[1]!.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(pakt[^']*)'/g)) {
        const all = m[2]!.split(',').map((n) => n.trim()).filter(Boolean);
        const names = m[1] ? [] : all.filter((n) => !n.startsWith('type ')).map((n) => n.split(/\s+as\s+/)[0]!);
        const types = (m[1] ? all : all.filter((n) => n.startsWith('type ')).map((n) => n.slice(5))).map((n) => n.split(/\s+as\s+/)[0]!.trim());
        out.push({ doc, specifier: m[3]!, names, types });
      }
    }
  }
  return out;
}

/**
 * `` `name(` `` in prose or code: a function the docs tell a user to call. docs/architecture.md
 * is left out: it is for contributors, and names the CLI's own helpers.
 */
function calledNames(): Array<{ doc: string; name: string; from?: string }> {
  const out: Array<{ doc: string; name: string; from?: string }> = [];
  for (const doc of DOCS.filter((d) => d !== path.join('docs', 'architecture.md'))) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    for (const m of text.matchAll(/`([a-z][A-Za-z0-9]*)\([^`]*\)`(?: from `(pakt[^`]*)`)?/g)) out.push({ doc, name: m[1]!, ...(m[2] ? { from: m[2] } : {}) });
  }
  return out;
}

const PUBLIC_MODULES = ['pakt', 'pakt/providers', 'pakt/conformance', ...readdirSync(path.join(ROOT, 'providers'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('index')).map((f) => `pakt/providers/${f.slice(0, -3)}`)];

describe('names the docs mention', () => {
  it('finds the docs\' imports (the check below is not empty)', () => {
    const found = docImports();
    expect(found.length).toBeGreaterThan(3);
    expect(found.some((i) => i.names.includes('packDirectory'))).toBe(true);
  });

  it('every value a doc imports is exported where the doc imports it from', async () => {
    const missing: string[] = [];
    for (const { doc, specifier, names } of docImports()) {
      const mod = (await import(sourceOf(specifier))) as Record<string, unknown>;
      for (const name of names) if (!(name in mod)) missing.push(`${doc}: ${name} from '${specifier}'`);
    }
    expect(missing).toEqual([]);
  });

  it('every function a doc tells a user to call can be imported (or is a registry method)', async () => {
    const exported = new Map<string, Set<string>>();
    for (const specifier of PUBLIC_MODULES) exported.set(specifier, new Set(Object.keys((await import(sourceOf(specifier))) as object)));
    // Methods a user calls on a registry, or implements in a provider (contract members and
    // conformance suite hooks), are not imports.
    const methods = new Set(Object.getOwnPropertyNames(CoreRegistryManager.prototype));
    const memberSources = [
      ...readdirSync(path.join(ROOT, 'src/contracts')).map((f) => path.join(ROOT, 'src/contracts', f)),
      ...readdirSync(path.join(ROOT, 'test/conformance')).filter((f) => f.endsWith('.suite.ts')).map((f) => path.join(ROOT, 'test/conformance', f)),
    ];
    for (const file of memberSources) for (const m of readFileSync(file, 'utf8').matchAll(/^\s+(?:readonly\s+)?([a-z][A-Za-z0-9]*)\??[(:]/gm)) methods.add(m[1]!);
    const missing: string[] = [];
    for (const { doc, name, from } of calledNames()) {
      if (from !== undefined) {
        if (!exported.get(from)?.has(name)) missing.push(`${doc}: ${name}() from ${from}`);
        continue;
      }
      if (methods.has(name)) continue;
      if (![...exported.values()].some((names) => names.has(name))) missing.push(`${doc}: ${name}()`);
    }
    expect(missing).toEqual([]);
  });
});
