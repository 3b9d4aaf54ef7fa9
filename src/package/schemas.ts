/**
 * The JSON Schemas of metadata.json and manifest.json (schemas/*.schema.json, draft 2020-12),
 * compiled once with ajv, and a translation of ajv's errors into messages a person can act on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** schemas/ sits at the package root: two levels up from src/package, three from dist/src/package. */
export function schemaPath(file: string): string {
  const candidates = [path.join(here, '..', '..', 'schemas', file), path.join(here, '..', '..', '..', 'schemas', file)];
  for (const candidate of candidates) {
    try {
      readFileSync(candidate, { flag: 'r' });
      return candidate;
    } catch {
      // try the next layout
    }
  }
  throw new Error(`schema ${file} not found next to the pakt package (looked in ${candidates.join(', ')})`);
}

let compiled: { metadata: ValidateFunction; manifest: ValidateFunction } | undefined;

function load(): { metadata: ValidateFunction; manifest: ValidateFunction } {
  if (!compiled) {
    // Unoptimised code generation compiles ~30% faster; these two small schemas gain nothing from the optimiser.
    const ajv = new Ajv2020({ allErrors: true, strict: true, code: { optimize: false } });
    const read = (file: string) => JSON.parse(readFileSync(schemaPath(file), 'utf8')) as object;
    compiled = { metadata: ajv.compile(read('metadata.schema.json')), manifest: ajv.compile(read('manifest.schema.json')) };
  }
  return compiled;
}

export interface SchemaProblem {
  /** JSON pointer of the offending value inside the document ('' for the document itself). */
  pointer: string;
  /** The field as a person names it, e.g. `dependencies.left-pad`. */
  field: string;
  keyword: string;
  message: string;
}

function fieldName(pointer: string): string {
  if (pointer === '') return 'the document';
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function describe(error: ErrorObject, document: string): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let message: string;
  switch (error.keyword) {
    case 'required':
      pointer = `${pointer}/${String(params['missingProperty'])}`;
      message = `required field '${fieldName(pointer)}' is missing`;
      break;
    case 'type':
      message = `'${fieldName(pointer)}' must be ${params['type'] === 'object' ? 'an' : 'a'} ${String(params['type'])}`;
      break;
    case 'additionalProperties':
      pointer = `${pointer}/${String(params['additionalProperty'])}`;
      message = `'${fieldName(pointer)}' is not a known field here`;
      break;
    case 'propertyNames':
      pointer = `${pointer}/${String(params['propertyName'])}`;
      message = `key '${fieldName(pointer)}' is not allowed: ${error.message ?? 'invalid name'}`;
      break;
    case 'pattern':
      message = `'${fieldName(pointer)}' does not match the required pattern ${String(params['pattern'])}`;
      break;
    case 'maxLength':
      message = `'${fieldName(pointer)}' is longer than ${String(params['limit'])} characters`;
      break;
    case 'minLength':
      message = `'${fieldName(pointer)}' is shorter than ${String(params['limit'])} characters`;
      break;
    case 'minimum':
      message = `'${fieldName(pointer)}' must be at least ${String(params['limit'])}`;
      break;
    default:
      message = `'${fieldName(pointer)}' ${error.message ?? 'is invalid'}`;
  }
  return { pointer, field: fieldName(pointer), keyword: error.keyword, message: `${document}: ${message}` };
}

function run(validate: ValidateFunction, value: unknown, document: string): SchemaProblem[] {
  if (validate(value)) return [];
  // propertyNames reports its inner failure and then itself; keep the one that names the key.
  const errors = (validate.errors ?? []).filter((e) => !(e.propertyName !== undefined && e.keyword !== 'propertyNames'));
  return errors.map((e) => describe(e, document));
}

export function checkMetadataSchema(value: unknown): SchemaProblem[] {
  return run(load().metadata, value, 'metadata.json');
}

export function checkManifestSchema(value: unknown): SchemaProblem[] {
  return run(load().manifest, value, 'manifest.json');
}
