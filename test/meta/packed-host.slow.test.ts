/**
 * The published package works in a project of its own (issue #11, defects 1-2): packed as npm
 * packs it, installed into an empty project, every entry point loads (pakt/conformance included:
 * a suite once imported a helper the tarball did not ship), the docs' worked example passes
 * against the installed suites, and the shipped types check strictly (`skipLibCheck: false`)
 * without pakt's devDependencies (.d.ts files once needed @types/better-sqlite3 and @types/pg).
 */
import { describe, expect, it } from 'vitest';
import { checkPackedHost } from '../../scripts/packed-host.js';

describe('the packed package in an empty project', () => {
  it('loads, runs the worked example against pakt/conformance, and type-checks strictly', () => {
    const r = checkPackedHost({ mode: 'link' });
    expect(r.entryPoints).toContain('pakt/conformance');
    expect(r.entryPoints).toContain('pakt/providers/metadata/sqlite');
    // The wave-2 providers' public modules, type-checked without @types/pg or @types/better-sqlite3;
    // their internal modules, whose types name those packages', are not exported.
    expect(r.entryPoints).toEqual(expect.arrayContaining(['pakt/providers/metadata/postgres/index', 'pakt/providers/storage/oci/index', 'pakt/providers/scanner/osv/index']));
    expect(r.entryPoints.filter((p) => /metadata\/postgres\/(?!index$)|scanner\/osv\/database$|sqlite-/.test(p))).toEqual([]);
    expect(r.exampleRun).toMatch(/Tests\s+\d+ passed/);
    expect(r.exampleRun).not.toMatch(/failed/);
    // What ships: the build of src, providers and the conformance suites, schemas, docs, the licence.
    expect(r.files).toContain('LICENSE');
    expect(r.files).toContain('dist/test/conformance/expect-code.js');
    expect(r.files.filter((f) => f.startsWith('dist/test/') && !f.startsWith('dist/test/conformance/'))).toEqual([]);
    expect(r.files.filter((f) => /\.test\.js$/.test(f) && !f.startsWith('docs/'))).toEqual([]);
  }, 600_000);
});
