import { ERROR_CATALOGUE } from '../src/errors.js';

const escape = (s: string) => s.replace(/\|/g, '\\|');

/** The text of docs/errors.md, derived from the catalogue. */
export function renderErrorDocs(): string {
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
    '"User fault" says whether the caller can fix it (bad input, conflict, not found) or whether it is an',
    'infrastructure fault (disk, database, a broken provider). "Exit" is the CLI exit status.',
    '',
    'This file is generated from `src/error-catalogue/` by `npm run docs:errors`; a test keeps them in step.',
    '',
    '| Code | Meaning | How to fix | HTTP | User fault | Exit |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
