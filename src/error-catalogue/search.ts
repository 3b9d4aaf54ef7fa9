import { defineErrors } from './spec.js';

/** Search (SPEC §4 `search`). Owned by the search work. */
export const SEARCH_ERRORS = defineErrors({});
