import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { SEMVER_SYNTAX } from '../../src/package/name-version.js';
import { checkAgreement, checkManifest, checkMetadata, parseDocument } from '../../src/package/documents.js';

const hash = '0'.repeat(64);
const codes = (r: { issues: Array<{ code: string }> }) => r.issues.map((i) => i.code);

describe('package documents', () => {
  it('parse errors become issues naming the document', () => {
    const r = parseDocument(Buffer.from('{"a":1,"a":2}'), 'metadata.json', DEFAULT_LIMITS);
    expect(r.value).toBeUndefined();
    expect(r.issues).toMatchObject([{ code: 'E_PKG_JSON_DUPLICATE_KEY', path: 'metadata.json#/a' }]);
  });

  it('metadata: grammar codes for name, version, dependency names and ranges', () => {
    expect(codes(checkMetadata({ name: 'ok', version: '1.0.0', dependencies: { 'a-b': '>=1.0.0,<2.0.0' } }, DEFAULT_LIMITS, SEMVER_SYNTAX))).toEqual([]);
    expect(codes(checkMetadata({ name: 'Bad', version: '01.0.0' }, DEFAULT_LIMITS, SEMVER_SYNTAX))).toEqual(['E_PKG_NAME_INVALID', 'E_PKG_VERSION_INVALID']);
    expect(codes(checkMetadata({ name: 'ok', version: '1.0.0', dependencies: { 'A': '^1', b: 'x y z' } }, DEFAULT_LIMITS, SEMVER_SYNTAX))).toEqual(['E_PKG_NAME_INVALID', 'E_PKG_RANGE_INVALID']);
    expect(codes(checkMetadata({ name: 7, version: '1.0.0' }, DEFAULT_LIMITS, SEMVER_SYNTAX))).toEqual(['E_PKG_METADATA_INVALID']);
  });

  it('manifest: refuses listing the documents themselves and invalid paths', () => {
    expect(codes(checkManifest({ name: 'a', version: '1.0.0', files: { 'x/y': { hash } } }, DEFAULT_LIMITS))).toEqual([]);
    expect(codes(checkManifest({ name: 'a', version: '1.0.0', files: { 'manifest.json': { hash }, '../x': { hash } } }, DEFAULT_LIMITS))).toEqual(['E_PKG_MANIFEST_INVALID', 'E_PKG_MANIFEST_INVALID']);
  });

  it('name and version must agree', () => {
    expect(checkAgreement({ name: 'a', version: '1.0.0' }, { name: 'a', version: '1.0.0', files: {} })).toEqual([]);
    expect(checkAgreement({ name: 'a', version: '1.0.0' }, { name: 'b', version: '2.0.0', files: {} }).map((i) => i.path)).toEqual(['manifest.json#/name', 'manifest.json#/version']);
  });
});
