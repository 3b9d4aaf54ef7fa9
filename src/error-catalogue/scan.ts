import type { SkippedRecord } from '../scan/advisories.js';
import type { BlockingFinding, GateOperation } from '../scan/decide.js';
import type { PackageErrorCode } from './package.js';
import { defineErrors } from './spec.js';

/**
 * Advisories, scanning and policy (SPEC §8): the advisory database and its import, `pakt scan`,
 * and the policy gates. Owned by the scanner work (src/scan, providers/scanner); add rows here,
 * then run `npm run docs:errors`.
 */
export const SCAN_ERRORS = defineErrors({
  E_ADVISORIES_MISSING: {
    meaning: 'No advisory database was ever imported into this store, so nothing can be checked; a scan (or a policy decision, once a policy is set) refuses rather than report "nothing found".',
    hint: 'On a connected machine download https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip, copy it next to the store, then run `pakt advisories import all.zip`.',
    status: 409, userFault: true, exit: 1,
  },
  E_ADVISORIES_STALE: {
    meaning: 'The advisory database is older than the policy\'s maximum advisory age (or --max-advisory-age), so an empty result could hide newer advisories; the scan or decision was refused.',
    hint: 'Import a current database: download https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip and run `pakt advisories import all.zip`; `pakt advisories status` shows its age.',
    status: 409, userFault: true, exit: 1,
  },
  E_ADVISORIES_UNREADABLE: {
    meaning: 'The scanner could not read its advisory database (the file is damaged, not a pakt advisory database, written by a newer pakt, or the feed failed); decisions follow the policy\'s scanner-failure setting.',
    hint: 'Move the advisory database named in the message aside and import the feed again with `pakt advisories import all.zip`; until then `fail-closed` (the default) refuses every gated operation.',
    status: 500, userFault: false, exit: 1,
  },
  E_ADVISORIES_BUSY: {
    meaning: 'Another import held the advisory database\'s write lock for longer than the wait allowed; this import changed nothing.',
    hint: 'Wait for the other `pakt advisories import` to finish, then run this one again (reading and scanning are never blocked by an import).',
    status: 503, userFault: false, exit: 1,
  },
  E_POLICY_BLOCKED: {
    meaning: 'The advisory policy refused the operation: the version, or a dependency it resolves to, carries an advisory at or above the policy\'s block level; the message names each advisory, the path to it, the fixed versions and the exemption command.',
    hint: 'Use a fixed version named in the message, or, if the advisory does not apply to you, run the `pakt policy exempt ...` command given there (a reason and an expiry are required).',
    status: 403, userFault: true, exit: 1,
  },
  E_POLICY_INVALID: {
    meaning: 'A stored advisory policy or exemption document is not in the shape this pakt writes (it was edited by hand or by another program), so no decision can rely on it.',
    hint: 'Set the policy again with `pakt policy set --block high --warn low`, and re-add exemptions with `pakt policy exempt`; the message names the document.',
    status: 500, userFault: false, exit: 1,
  },
  E_ADVISORY_INVALID: {
    meaning: 'One or more advisory records are not OSV records pakt can evaluate (bad JSON, a missing id or modified, an event with two keys or a version that cannot be ordered); the message lists each with its file, and nothing was imported.',
    hint: 'Fix or remove the records named in the message, or import every valid record and skip these with `pakt advisories import <input> --skip-invalid` (the skipped ones are listed).',
    status: 422, userFault: true, exit: 1,
  },
  E_ADVISORY_ARCHIVE_INVALID: {
    meaning: 'The ZIP of advisories is damaged or unsafe to read (not a ZIP, corrupt, encrypted, a link or device entry, a path trick, duplicate names, overlapping entries, a CRC or size that does not match); nothing was imported.',
    hint: 'Download the ZIP again (https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip) and check that it was copied completely, then run the import again.',
    status: 422, userFault: true, exit: 1,
  },
  E_ADVISORY_TOO_LARGE: {
    meaning: 'An advisory input is beyond an import limit: a JSON file or ZIP entry, the whole ZIP, its entry count, its total uncompressed size or an entry\'s compression ratio; nothing was imported.',
    hint: 'Import records as a ZIP or folder with one file per record (osv.dev\'s layout), or raise the advisory import limit named in the message (docs/advisories.md).',
    status: 413, userFault: true, exit: 1,
  },
  E_ADVISORY_INPUT_EMPTY: {
    meaning: 'The file, folder or ZIP given to `advisories import` holds no OSV records (no .json files, or an empty array).',
    hint: 'Point the import at osv.dev\'s npm all.zip, a folder of OSV .json files, or a .json file holding one record or an array of records.',
    status: 422, userFault: true, exit: 1,
  },
  E_EXEMPTION_NOT_FOUND: {
    meaning: 'No exemption exists for this advisory id and package pattern.',
    hint: 'Run `pakt policy exemptions` to list every exemption with its advisory id and package pattern.',
    status: 404, userFault: true, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface ScanErrorDetails {
  E_ADVISORIES_STALE: {
    /** How old the database is, and the most the policy (or --max-advisory-age) allows, in hours. */
    ageHours?: number;
    maxAdvisoryAgeHours?: number;
    /** When it was imported (RFC 3339). */
    importedAt?: string;
  };
  E_ADVISORIES_UNREADABLE: {
    /** The scanner provider that failed (its info.name). */
    scanner?: string;
  };
  E_POLICY_BLOCKED: {
    /** The gate that refused: publish, download or install (of details.name@details.version). */
    operation?: GateOperation;
    /** Every advisory at or above the block level, with the path to it, its fixes and the exemption command. */
    findings?: BlockingFinding[];
  };
  E_POLICY_INVALID: {
    /** The stored document at fault: its documents kind and key. */
    kind?: string;
    key?: string;
  };
  E_ADVISORY_INVALID: {
    /** The records that cannot be imported (at most 100), and how many there are. */
    invalid?: SkippedRecord[];
    invalidCount?: number;
    /** A record the scanner could not evaluate: its id and why. */
    id?: string;
    reason?: string;
  };
  E_ADVISORY_ARCHIVE_INVALID: {
    /** The ZIP rule it breaks, as validation's code for the same flaw in a package (E_PKG_ENTRY_OVERLAP, ...). */
    reason?: PackageErrorCode;
  };
  E_EXEMPTION_NOT_FOUND: {
    /** The advisory id and the package pattern asked for. */
    advisory?: string;
    packages?: string;
  };
}
