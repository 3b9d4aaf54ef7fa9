import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkManifestSchema, checkMetadataSchema, schemaPath } from '../../src/package/schemas.js';

describe('the JSON Schemas', () => {
  it('are draft 2020-12 documents with an $id', () => {
    for (const file of ['metadata.schema.json', 'manifest.schema.json']) {
      const schema = JSON.parse(readFileSync(schemaPath(file), 'utf8'));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toMatch(/^https:\/\/.+\.schema\.json$/);
    }
  });

  it('metadata: accepts the fields of SPEC §1 and unknown ones; names what is wrong', () => {
    expect(checkMetadataSchema({ name: 'a', version: '1.0.0', description: 'd', author: 'x', license: 'MIT', homepage: 'h', dependencies: { b: '^1' }, tags: ['t'], capabilities: ['c'], platform: { os: 'linux', arch: 'x64' }, extra: { any: 1 } })).toEqual([]);
    const problems = checkMetadataSchema({ version: 1, tags: [1], platform: { os: 3 }, dependencies: { b: 2 } });
    const messages = problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/required field 'name' is missing/);
    expect(messages).toMatch(/'version' must be a string/);
    expect(messages).toMatch(/'tags.0' must be a string/);
    expect(messages).toMatch(/'platform.os' must be a string/);
    expect(messages).toMatch(/'dependencies.b' must be a string/);
    expect(checkMetadataSchema([]).map((p) => p.message)).toEqual(["metadata.json: 'the document' must be an object"]);
  });

  it('manifest: 64 lowercase hex hashes, integer sizes, no unknown entry fields', () => {
    const hash = 'a'.repeat(64);
    expect(checkManifestSchema({ name: 'a', version: '1.0.0', files: { x: { hash, size: 0 }, y: { hash } } })).toEqual([]);
    const problems = checkManifestSchema({ name: 'a', version: '1.0.0', files: { x: { hash: hash.toUpperCase(), size: -1, mode: 1 } } });
    expect(problems.map((p) => p.keyword).sort()).toEqual(['additionalProperties', 'minimum', 'pattern']);
    expect(checkManifestSchema({ name: 'a', version: '1.0.0' }).map((p) => p.message)).toEqual(["manifest.json: required field 'files' is missing"]);
  });
});
