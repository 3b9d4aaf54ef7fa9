/**
 * Writes docs/errors.md from the error catalogue (`npm run docs:errors`).
 * test/meta/errors-documented.test.ts fails when the file is out of step with src/errors.ts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderErrorDocs } from './error-docs.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
writeFileSync(path.join(root, 'docs', 'errors.md'), renderErrorDocs());
process.stderr.write('wrote docs/errors.md\n');
