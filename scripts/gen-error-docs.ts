/**
 * Writes docs/errors.md from the error catalogue and adds new codes to the released-codes
 * snapshot (`npm run docs:errors`). test/meta/errors-documented.test.ts fails when either is out
 * of step with the catalogue.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readReleasedCodes, RELEASED_CODES_FILE, renderErrorDocs, renderReleasedCodes } from './error-docs.js';

const root = path.resolve(path.dirname(RELEASED_CODES_FILE), '..', '..');
const released = readReleasedCodes();
writeFileSync(RELEASED_CODES_FILE, renderReleasedCodes(released));
writeFileSync(path.join(root, 'docs', 'errors.md'), renderErrorDocs(released.retired));
process.stderr.write('wrote docs/errors.md and src/error-catalogue/released-codes.txt\n');
