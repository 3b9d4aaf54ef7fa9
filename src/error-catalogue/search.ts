import { defineErrors } from './spec.js';

/** Search (SPEC §4 `search`). Owned by the search work. */
export const SEARCH_ERRORS = defineErrors({
  E_SEARCH_OPTION_INVALID: {
    meaning: 'A search option is out of range: limit and offset must be whole numbers of zero or more, and a filter must be text.',
    hint: 'Pass --limit and --offset as non-negative integers (e.g. --limit 20 --offset 40) and --tag/--author/--capability as plain words.',
    status: 400, userFault: true, exit: 2,
  },
  E_SEARCH_DOCUMENT_INVALID: {
    meaning: 'A document given to the search index lacks a package name or version, or has a field of the wrong type.',
    hint: 'Give the index one document per package with a non-empty name and version (SearchDocument in src/contracts/search.ts); this is a bug in the caller, not in the package.',
    status: 500, userFault: false, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface SearchErrorDetails {}
