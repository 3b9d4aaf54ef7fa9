/**
 * The house's rooms and doors (docs/architecture.md), kept by reading every import:
 * - src/ never imports providers/, except src/index.ts (which re-exports the composition root)
 *   and the CLI, which reaches implementations only through providers/index.ts;
 * - a provider imports only src/contracts, src/errors, src/limits, src/util and src/package (the
 *   format grammar), besides node built-ins, npm packages and its own family's files; only
 *   providers/index.ts, the composition root, also reaches the core to build a registry;
 * - src/package (the format grammar) imports only contracts, errors, limits and util, and the
 *   resolver only the versioning contract and errors: both are usable without the core;
 * - src/contracts holds types and capability flags: it imports nothing but itself and src/errors;
 * - the library never imports the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Every relative import of `file`, as a path from the repository root (the .js named as its .ts). */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)) {
    out.push(path.normalize(path.join(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

function violations(sources: string[], allowed: (file: string, target: string) => boolean): string[] {
  return sources.flatMap((file) => importsOf(file).filter((target) => !allowed(file, target)).map((target) => `${file} → ${target}`));
}

describe('the dependency rule', () => {
  it('reads imports (the rules below are not vacuous)', () => {
    expect(importsOf('src/index.ts')).toContain('providers/index.ts');
    expect(importsOf('providers/validation/zip.ts')).toContain('src/package/validate-archive.ts');
  });

  it('src/ reaches providers/ only from src/index.ts and, through providers/index.ts, from the CLI', () => {
    const bad = violations(files('src'), (file, target) => {
      if (!under(target, 'providers')) return true;
      if (file === 'src/index.ts') return target === 'providers/index.ts';
      return under(file, 'src/cli') && target === 'providers/index.ts';
    });
    expect(bad).toEqual([]);
  });

  it('providers import only contracts, errors, limits, util and package of src/ (the composition root also the core)', () => {
    const ALLOWED = ['src/contracts', 'src/errors.ts', 'src/error-catalogue', 'src/limits.ts', 'src/util', 'src/package'];
    const bad = violations(files('providers'), (file, target) => {
      if (under(target, 'providers')) return file === 'providers/index.ts' || under(target, path.dirname(file)) || under(target, path.dirname(file).split('/').slice(0, 2).join('/'));
      if (ALLOWED.some((a) => under(target, a))) return true;
      return file === 'providers/index.ts' && ['src/core/registry-manager.ts', 'src/upstream/index.ts', 'src/remote/index.ts'].includes(target);
    });
    expect(bad).toEqual([]);
  });

  it('src/package, the format grammar providers use, imports only contracts, errors, limits and util', () => {
    const ALLOWED = ['src/package', 'src/contracts', 'src/errors.ts', 'src/limits.ts', 'src/util'];
    expect(violations(files('src/package'), (_file, target) => ALLOWED.some((a) => under(target, a)))).toEqual([]);
  });

  it('the resolver imports only itself, the versioning contract and src/errors', () => {
    expect(violations(files('src/resolve'), (_file, target) => under(target, 'src/resolve') || target === 'src/contracts/versioning.ts' || target === 'src/errors.ts')).toEqual([]);
  });

  it('src/contracts imports only itself and src/errors', () => {
    expect(violations(files('src/contracts'), (_file, target) => under(target, 'src/contracts') || target === 'src/errors.ts')).toEqual([]);
  });

  it('the library never imports the CLI', () => {
    const library = files('src').filter((f) => !under(f, 'src/cli'));
    expect(violations(library, (_file, target) => !under(target, 'src/cli'))).toEqual([]);
    expect(violations(files('providers'), (_file, target) => !under(target, 'src/cli'))).toEqual([]);
  });
});
