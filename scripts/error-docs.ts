import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../src/errors.js';

const escape = (s: string) => s.replace(/\|/g, '\\|');

// Run from dist/scripts (npm run docs:errors) or from scripts/ (vitest): the repository is two or one folders up.
const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.basename(path.dirname(HERE)) === 'dist' ? path.resolve(HERE, '..', '..') : path.resolve(HERE, '..');

/** src/error-catalogue/released-codes.txt: every code ever released, and which are retired. */
export const RELEASED_CODES_FILE = path.join(ROOT, 'src', 'error-catalogue', 'released-codes.txt');

export interface ReleasedCodes {
  /** Header comment lines, kept as they are. */
  header: string[];
  /** Every code listed, sorted. */
  released: string[];
  /** The listed codes marked retired. */
  retired: string[];
}

export function parseReleasedCodes(text: string): ReleasedCodes {
  const header: string[] = [];
  const released: string[] = [];
  const retired: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) header.push(line);
    const m = /^(E_[A-Z0-9_]+)( retired)?$/.exec(line.trim());
    if (!m) continue;
    released.push(m[1]!);
    if (m[2]) retired.push(m[1]!);
  }
  return { header, released, retired };
}

export function readReleasedCodes(): ReleasedCodes {
  return parseReleasedCodes(readFileSync(RELEASED_CODES_FILE, 'utf8'));
}

/** The snapshot with every catalogue code added; nothing is ever taken out. */
export function renderReleasedCodes(current: ReleasedCodes): string {
  const retired = new Set(current.retired);
  const all = [...new Set([...current.released, ...Object.keys(ERROR_CATALOGUE)])].sort();
  return [...current.header, ...all.map((code) => (retired.has(code) ? `${code} retired` : code)), ''].join('\n');
}

/** The text of docs/errors.md, derived from the catalogue (and the retired codes of the snapshot). */
export function renderErrorDocs(retired: readonly string[] = readReleasedCodes().retired): string {
  const rows = Object.entries(ERROR_CATALOGUE)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, spec]) => `| \`${code}\` | ${escape(spec.meaning)} | ${escape(spec.hint)} | ${spec.status} | ${spec.userFault ? 'yes' : 'no'} | ${spec.exit} |`);
  return [
    '# Errors',
    '',
    'Every error pakt reports has a stable code. Codes are never renamed or reused. The CLI prints',
    '`error[E_CODE]: message` and a hint on stderr (and `{"error":{...}}` on stdout with `--json`);',
    'the library throws `RegistryError` with `code`, `message`, `details` and `hint`.',
    '',
    '"User fault" says whether the caller can fix it by changing the request (bad input, conflict, not',
    'found; exactly the codes whose HTTP status is below 500) or whether it is an infrastructure fault',
    '(disk, database) or a fault of the host application\'s own set-up (a missing provider, a bad',
    'limit). "Exit" is the CLI exit status.',
    '',
    'This file is generated from `src/error-catalogue/` by `npm run docs:errors`; a test keeps them in step.',
    '',
    '| Code | Meaning | How to fix | HTTP | User fault | Exit |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Retired codes',
    '',
    retired.length === 0 ? 'None: every code released so far is in use.' : `No longer reported, and never to be given another meaning: ${retired.map((c) => `\`${c}\``).join(', ')}.`,
    '',
  ].join('\n');
}
