/**
 * The validation provider conformance suite: what every ValidationProvider must refuse and
 * accept, with the codes of SPEC §1 (docs/package-format.md). Run it against your provider:
 *
 *   await describeValidationConformance({ name: 'my-validator', create: () => createMyValidator() });
 *
 * Archives are built in the suite itself (yazl, then byte patches where a hostile archive is
 * needed), so it depends on nothing outside the published package.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CORE_VERSION, type ArchiveSource, type ValidateOptions, type ValidationProvider, type ValidationReport, type VersionSyntax } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { conformanceCases } from './harness.js';

export interface ValidationConformanceOptions<P extends ValidationProvider = ValidationProvider> {
  /** Shown in the suite title. */
  name: string;
  /** A provider with default limits. */
  create: () => Promise<P> | P;
  cleanup?: (provider: P) => Promise<void> | void;
  /** Titles of cases to skip (known gaps, listed openly). */
  skip?: readonly string[];
}

type Content = string | Buffer;

/** An ArchiveSource over bytes that answers each read with at most 777 bytes, a tick later. */
function slowSource(bytes: Buffer): ArchiveSource {
  return {
    size: bytes.length,
    async read(buffer, offset, length, position) {
      await new Promise((resolve) => setImmediate(resolve));
      const n = Math.max(0, Math.min(length, 777, bytes.length - position));
      bytes.copy(buffer, offset, position, position + n);
      return n;
    },
  };
}

const sha256 = (data: Content) => createHash('sha256').update(data).digest('hex');
const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** A ZIP of exactly these entries, in this order, with fixed timestamps. */
export function zipOf(entries: ReadonlyArray<readonly [string, Content]>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(Buffer.from(data), name, { mtime: new Date(2000, 0, 1), mode: 0o100644, compress: true, forceDosTimestamp: true });
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

interface PackageParts {
  metadata?: unknown;
  /** Content files; the manifest lists them unless `manifest` is given. */
  files?: Record<string, Content>;
  manifest?: unknown;
}

/** metadata.json, manifest.json and the files, as raw entries (a string document is written as is). */
export function packageEntries(parts: PackageParts = {}): Array<[string, Content]> {
  const metadata = parts.metadata ?? { name: 'conformance', version: '1.0.0' };
  const files = parts.files ?? { 'lib/index.js': 'export const x = 1;\n' };
  const meta = (typeof metadata === 'object' && metadata !== null ? metadata : { name: 'conformance', version: '1.0.0' }) as Record<string, unknown>;
  const manifest = parts.manifest ?? {
    name: meta['name'],
    version: meta['version'],
    files: Object.fromEntries(Object.entries(files).map(([p, d]) => [p, { hash: sha256(d), size: Buffer.byteLength(d) }])),
  };
  return [
    ['metadata.json', typeof metadata === 'string' ? metadata : json(metadata)],
    ['manifest.json', typeof manifest === 'string' ? manifest : json(manifest)],
    ...Object.entries(files),
  ];
}

interface CentralRecord {
  at: number;
  name: string;
  localAt: number;
}

/** The central directory records of a single-disk, non-ZIP64 archive. */
function centralRecords(zip: Buffer): CentralRecord[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out: CentralRecord[] = [];
  for (let i = 0; i < count; i++) {
    const n = zip.readUInt16LE(at + 28);
    const m = zip.readUInt16LE(at + 30);
    const k = zip.readUInt16LE(at + 32);
    out.push({ at, name: zip.toString('utf8', at + 46, at + 46 + n), localAt: zip.readUInt32LE(at + 42) });
    at += 46 + n + m + k;
  }
  return out;
}

function record(zip: Buffer, name: string): CentralRecord {
  const found = centralRecords(zip).find((r) => r.name === name);
  if (!found) throw new Error(`no entry ${name}`);
  return found;
}

/** Renames an entry in both headers (same byte length). */
function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  const r = record(zip, from);
  const bytes = Buffer.from(to, 'utf8');
  if (bytes.length !== Buffer.byteLength(from)) throw new Error('renameEntry needs names of equal length');
  bytes.copy(zip, r.at + 46);
  bytes.copy(zip, r.localAt + 30);
  return zip;
}

/** Prepends bytes and moves every offset with them, as a self-extractor stub does. */
function prepend(zip: Buffer, stub: Buffer): Buffer {
  const out = Buffer.concat([stub, zip]);
  for (const r of centralRecords(zip)) out.writeUInt32LE(r.localAt + stub.length, stub.length + r.at + 42);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  out.writeUInt32LE(out.readUInt32LE(eocd + 16) + stub.length, eocd + 16);
  return out;
}

export async function describeValidationConformance<P extends ValidationProvider>(options: ValidationConformanceOptions<P>): Promise<void> {
  const { test } = conformanceCases(options.skip);

  describe(`validation conformance: ${options.name}`, () => {
    let dir: string;
    let provider: P;
    let counter = 0;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'pakt-validation-conformance-'));
      provider = await options.create();
    });
    afterAll(async () => {
      await provider.close?.();
      await options.cleanup?.(provider);
      await rm(dir, { recursive: true, force: true });
    });

    async function check(bytes: Buffer, options?: ValidateOptions): Promise<ValidationReport> {
      const file = join(dir, `case-${counter++}.zip`);
      await writeFile(file, bytes);
      const report = await provider.validateFile(file, options);
      expect(report.valid).toBe(report.errors.length === 0);
      // The optional in-memory entry point must judge the same bytes exactly as the file one.
      if (provider.validateBytes) expect(await provider.validateBytes(bytes, options)).toEqual(report);
      // So must the source one, with a source that answers in short, late pieces.
      if (provider.validateSource) expect(await provider.validateSource(slowSource(bytes), options)).toEqual(report);
      for (const e of report.errors) {
        expect(typeof e.code).toBe('string');
        expect(e.message.length).toBeGreaterThan(0);
      }
      return report;
    }
    const codes = (r: ValidationReport) => r.errors.map((e) => e.code);
    const refuses = async (bytes: Buffer, code: string) => {
      const report = await check(bytes);
      expect(report.valid).toBe(false);
      expect(codes(report)).toContain(code);
      return report;
    };

    test('describes itself as a validation provider for this core', async () => {
      expect(provider.info.family).toBe('validation');
      expect(semver.satisfies(CORE_VERSION, provider.info.coreRange)).toBe(true);
    });

    test('accepts a plain package and reports its documents', async () => {
      const report = await check(await zipOf(packageEntries()));
      expect(report.errors).toEqual([]);
      expect(report).toMatchObject({ valid: true, name: 'conformance', version: '1.0.0', fileCount: 1 });
      expect(report.manifest?.files['lib/index.js']?.hash).toBe(sha256('export const x = 1;\n'));
    });

    test('accepts a scoped name, unicode paths, comma ranges and unknown fields', async () => {
      const metadata = { name: '@scope/pkg', version: '1.0.0-rc.1+b.2', dependencies: { 'left-pad': '>=1.0.0,<2.0.0', other: '==1.2.3' }, 'x-extra': [1, { a: 2 }] };
      const report = await check(await zipOf(packageEntries({ metadata, files: { 'données/日本語.txt': 'x', 'a/b/c/d.txt': 'd' } })));
      expect(report.errors).toEqual([]);
      expect(report.metadata?.['x-extra']).toEqual([1, { a: 2 }]);
    });

    test('refuses what is not a ZIP, and a truncated ZIP, with a report', async () => {
      await refuses(Buffer.from('plain text, not an archive'), 'E_PKG_NOT_ZIP');
      const whole = await zipOf(packageEntries());
      const report = await check(whole.subarray(0, whole.length - 30));
      expect(report.valid).toBe(false);
    });

    test('rejects a missing file with E_INPUT_NOT_FOUND', async () => {
      const err = await provider.validateFile(join(dir, 'does-not-exist.zip')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).code).toBe('E_INPUT_NOT_FOUND');
    });

    test('refuses bytes after the end record and before the first entry', async () => {
      const zip = await zipOf(packageEntries());
      await refuses(Buffer.concat([zip, Buffer.from('trailer')]), 'E_PKG_TRAILING_DATA');
      await refuses(prepend(zip, Buffer.from('#!/bin/sh\nexit 0\n')), 'E_PKG_PREFIX_DATA');
    });

    test('refuses path traversal, absolute paths and backslashes', async () => {
      const make = async (bad: string) => renameEntry(await zipOf(packageEntries({ files: { [bad.replace(/[./\\:]/g, 'x')]: 'x' } })), bad.replace(/[./\\:]/g, 'x'), bad);
      await refuses(await make('../evil.sh'), 'E_PKG_PATH_TRAVERSAL');
      await refuses(await make('/etc/evil'), 'E_PKG_PATH_ABSOLUTE');
      await refuses(await make('a\\evil.sh'), 'E_PKG_PATH_BACKSLASH');
    });

    test('refuses case-insensitive and NFC/NFD duplicates', async () => {
      await refuses(await zipOf(packageEntries({ files: { 'README.md': 'a', 'readme.md': 'b' } })), 'E_PKG_PATH_DUPLICATE');
      await refuses(await zipOf(packageEntries({ files: { 'caf\u00e9.txt': 'a', 'cafe\u0301.txt': 'b' } })), 'E_PKG_PATH_DUPLICATE');
    });

    test('refuses a symbolic link entry', async () => {
      const zip = await zipOf(packageEntries({ files: { 'lib/link': '../../etc/passwd' } }));
      zip.writeUInt32LE((0o120777 << 16) >>> 0, record(zip, 'lib/link').at + 38);
      await refuses(zip, 'E_PKG_SYMLINK');
    });

    test('refuses an entry whose CRC is wrong in both headers', async () => {
      const zip = await zipOf(packageEntries());
      const r = record(zip, 'lib/index.js');
      zip.writeUInt32LE(0xdeadbeef, r.at + 16);
      zip.writeUInt32LE(0xdeadbeef, r.localAt + 14);
      await refuses(zip, 'E_PKG_CRC_MISMATCH');
    });

    test('refuses a deflate bomb', async () => {
      await refuses(await zipOf(packageEntries({ files: { 'zeros.bin': Buffer.alloc(64 * 1024 * 1024) } })), 'E_PKG_COMPRESSION_RATIO');
    });

    test('refuses duplicate and prototype keys, and pollutes nothing', async () => {
      await refuses(await zipOf(packageEntries({ metadata: '{"name":"conformance","version":"1.0.0","name":"x"}' })), 'E_PKG_JSON_DUPLICATE_KEY');
      await refuses(await zipOf(packageEntries({ metadata: '{"name":"conformance","version":"1.0.0","__proto__":{"polluted":true}}' })), 'E_PKG_JSON_FORBIDDEN_KEY');
      await refuses(await zipOf(packageEntries({ metadata: '{"name":"conformance","version":"1.0.0","a":{"constructor":{"prototype":{"polluted":true}}}}' })), 'E_PKG_JSON_FORBIDDEN_KEY');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    test('refuses JSON nested deeper than 64 levels', async () => {
      const deep = '{"name":"conformance","version":"1.0.0","x":' + '['.repeat(70) + ']'.repeat(70) + '}';
      await refuses(await zipOf(packageEntries({ metadata: deep })), 'E_PKG_JSON_TOO_DEEP');
    });

    test('refuses a missing metadata.json or manifest.json', async () => {
      const entries = packageEntries();
      await refuses(await zipOf(entries.filter(([n]) => n !== 'metadata.json')), 'E_PKG_METADATA_MISSING');
      await refuses(await zipOf(entries.filter(([n]) => n !== 'manifest.json')), 'E_PKG_MANIFEST_MISSING');
    });

    test('refuses invalid names, versions and ranges', async () => {
      await refuses(await zipOf(packageEntries({ metadata: { name: 'Not Valid', version: '1.0.0' } })), 'E_PKG_NAME_INVALID');
      await refuses(await zipOf(packageEntries({ metadata: { name: 'conformance', version: 'v1.0' } })), 'E_PKG_VERSION_INVALID');
      await refuses(await zipOf(packageEntries({ metadata: { name: 'conformance', version: '1.0.0', dependencies: { a: 'not a range' } } })), 'E_PKG_RANGE_INVALID');
      await refuses(await zipOf(packageEntries({ metadata: { name: 'conformance', version: '1.0.0', tags: 'one' } })), 'E_PKG_METADATA_INVALID');
    });

    test('judges version and ranges through the versioning it is given, not its own default', async () => {
      // A scheme that is not SemVer: YYYY.MM versions, ">=YYYY.MM" ranges.
      const calendar: VersionSyntax = { isValidVersion: (v) => /^\d{4}\.\d{2}$/.test(v), isValidRange: (r) => /^>=\d{4}\.\d{2}$/.test(r), info: { name: 'conformance-calendar' } };
      const versioning = { versioning: calendar };
      const accepted = await check(await zipOf(packageEntries({ metadata: { name: 'conformance', version: '2024.05', dependencies: { a: '>=2024.01' } } })), versioning);
      expect(accepted.errors).toEqual([]);
      expect(accepted).toMatchObject({ valid: true, version: '2024.05' });
      const semver = await check(await zipOf(packageEntries({ metadata: { name: 'conformance', version: '1.0.0', dependencies: { a: '^1.0.0' } } })), versioning);
      expect(codes(semver).sort()).toEqual(['E_PKG_RANGE_INVALID', 'E_PKG_VERSION_INVALID']);
    });

    test('holds the manifest to the files: unlisted, missing, wrong hash, other package', async () => {
      const files = { 'a.txt': 'a' };
      await refuses(await zipOf([...packageEntries({ files }), ['b.txt', 'b']]), 'E_PKG_FILE_UNLISTED');
      await refuses(await zipOf(packageEntries({ files, manifest: { name: 'conformance', version: '1.0.0', files: { 'a.txt': { hash: sha256('a') }, 'gone.txt': { hash: sha256('') } } } })), 'E_PKG_FILE_MISSING');
      await refuses(await zipOf(packageEntries({ files, manifest: { name: 'conformance', version: '1.0.0', files: { 'a.txt': { hash: sha256('not a') } } } })), 'E_PKG_HASH_MISMATCH');
      await refuses(await zipOf(packageEntries({ files, manifest: { name: 'someone-else', version: '1.0.0', files: { 'a.txt': { hash: sha256('a') } } } })), 'E_PKG_MANIFEST_MISMATCH');
    });

    test('reports every problem it finds, not only the first', async () => {
      const entries = packageEntries({ metadata: { name: 'conformance', version: '1.0' }, files: { 'a.txt': 'a', 'A.TXT': 'b' } });
      const report = await refuses(await zipOf([...entries, ['unlisted.txt', 'u']]), 'E_PKG_VERSION_INVALID');
      expect(codes(report)).toContain('E_PKG_PATH_DUPLICATE');
      expect(codes(report)).toContain('E_PKG_FILE_UNLISTED');
    });
  });
}
