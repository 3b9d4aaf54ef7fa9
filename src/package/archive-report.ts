/**
 * What the validator's parts share: the report that collects every problem (bounded), the record
 * kept for each central directory entry, and the rule that tells a reader failure (rethrown)
 * from a problem of the archive (reported).
 */
import type yauzl from 'yauzl';
import type { ValidationIssue } from '../contracts/validation.js';
import { RegistryError, type ErrorCode } from '../errors.js';
import { showPath } from './archive-path.js';

/** Past this many issues the report stops growing; a hostile archive must not inflate it without end. */
export const MAX_REPORTED_ISSUES = 1000;

export interface EntryRecord {
  index: number;
  entry: yauzl.Entry;
  /** Decoded name without a folder's trailing '/', or null when undecodable. */
  path: string | null;
  isFolder: boolean;
  /** False once any problem of this entry makes reading its data pointless or unsafe. */
  readable: boolean;
  sha256?: string;
  actualSize?: number;
  /** Held only for metadata.json and manifest.json. */
  bytes?: Buffer;
  /** Its central Unicode Path field was already reported (the local one is not reported again). */
  unicodePathReported?: boolean;
}

export class Report {
  readonly issues: ValidationIssue[] = [];
  add(code: ErrorCode, message: string, path?: string): void {
    if (this.issues.length >= MAX_REPORTED_ISSUES) return;
    const issue: ValidationIssue = { code, message };
    if (path !== undefined) issue.path = path;
    this.issues.push(issue);
    if (this.issues.length === MAX_REPORTED_ISSUES) {
      this.issues[MAX_REPORTED_ISSUES - 1]!.message += ` (further problems not reported: the first ${MAX_REPORTED_ISSUES} are shown)`;
    }
  }
  addError(err: RegistryError): void {
    this.add(err.code, err.message, typeof err.details.path === 'string' ? err.details.path : undefined);
  }
}

/** A reader failure (E_IO) or a bug (E_INTERNAL) ends the validation; anything else is reported. */
export function isFatal(err: RegistryError): boolean {
  return err.code === 'E_IO' || err.code === 'E_INTERNAL';
}

/** How messages name an entry: its (escaped) path, or its index when the name is unreadable. */
export function entryLabel(rec: EntryRecord): string {
  return rec.path === null ? `#${rec.index}` : showPath(rec.path + (rec.isFolder ? '/' : ''));
}

export function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
