import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import createZipValidatorDefault, { createZipValidator } from '../../../providers/validation/zip.js';
import { CORE_VERSION } from '../../../src/contracts/provider.js';
import { RegistryError } from '../../../src/errors.js';
import { buildPackage } from '../../../src/package/pack.js';
import { expectCode } from '../../helpers/expect-code.js';
import { describeValidationConformance } from '../../conformance/validation.suite.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-zipval-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('createZipValidator', () => {
  it('is the default export and describes itself', () => {
    expect(createZipValidatorDefault).toBe(createZipValidator);
    expect(createZipValidator().info).toEqual({ name: 'zip', family: 'validation', coreRange: `^${CORE_VERSION}` });
  });

  it('applies its limits', async () => {
    const file = path.join(work, 'three.zip');
    await buildPackage({ metadata: { name: 'three', version: '1.0.0' }, files: { a: '1', b: '2', c: '3' } }, file);
    expect((await createZipValidator().validateFile(file)).valid).toBe(true);
    const report = await createZipValidator({ limits: { maxEntries: 4 } }).validateFile(file);
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(['E_PKG_TOO_MANY_ENTRIES']);
  });

  it('refuses unknown limits at construction', async () => {
    await expectCode(() => createZipValidator({ limits: { maxEntriez: 3 } as never }), 'E_LIMIT_INVALID');
  });

  it('rejects a missing file with E_INPUT_NOT_FOUND', async () => {
    await expectCode(() => createZipValidator().validateFile(path.join(work, 'nope.zip')), 'E_INPUT_NOT_FOUND');
  });

  it('validates bytes in memory with the same limits, and refuses what is not bytes', async () => {
    const file = path.join(work, 'three-bytes.zip');
    await buildPackage({ metadata: { name: 'three', version: '1.0.0' }, files: { a: '1', b: '2', c: '3' } }, file);
    const copy = new Uint8Array(readFileSync(file)); // a plain Uint8Array, not a Buffer
    const validator = createZipValidator();
    expect((await validator.validateBytes!(copy)).valid).toBe(true);
    const report = await createZipValidator({ limits: { maxEntries: 4 } }).validateBytes!(copy);
    expect(report.errors.map((e) => e.code)).toEqual(['E_PKG_TOO_MANY_ENTRIES']);
    await expectCode(() => validator.validateBytes!('not bytes' as never), 'E_INVALID_ARGUMENT');
  });

  it('validates through a source, passes on its E_IO, and refuses what is not a source', async () => {
    const file = path.join(work, 'three-source.zip');
    await buildPackage({ metadata: { name: 'three', version: '1.0.0' }, files: { a: '1', b: '2', c: '3' } }, file);
    const bytes = readFileSync(file);
    const validator = createZipValidator();
    const source = { size: bytes.length, read: async (b: Uint8Array, o: number, l: number, p: number) => bytes.copy(b, o, p, Math.min(bytes.length, p + l)) };
    expect(await validator.validateSource!(source)).toEqual(await validator.validateFile(file));
    const failing = { size: bytes.length, read: async () => Promise.reject(new RegistryError('E_IO', 'the copy stopped')) };
    const err = await expectCode(() => validator.validateSource!(failing), 'E_IO');
    expect(err.message).toContain('the copy stopped');
    await expectCode(() => validator.validateSource!({ size: -1 } as never), 'E_INVALID_ARGUMENT');
  });
});

await describeValidationConformance({ name: 'zip', create: () => createZipValidator() });
