/**
 * The shape of an OSV record (osv-schema 1.x), checked before anything is stored. Only what pakt
 * reads is checked, and checked strictly: `id` and `modified` required, every field pakt reads of
 * the right type, each event holding exactly one of its four keys. Other fields (details,
 * references, credits, database- and ecosystem-specific blocks) are kept as they are. Whether
 * the versions in ranges can be ordered is the scanner's to say (it knows its version grammar).
 *
 * Total: returns the record or the list of problems, each with a JSON pointer.
 */
import type { OsvRecord } from '../contracts/index.js';
import type { JsonValue } from '../package/strict-json.js';

export interface RecordProblem {
  /** JSON pointer inside the record, e.g. `/affected/0/ranges/1/events/2`. */
  pointer: string;
  message: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const MAX_ID_CHARS = 256;
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

type Obj = { [key: string]: JsonValue };

const isObject = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isAdvisoryId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS && ID.test(value);
}

/** The record, or every problem found in it. */
export function checkOsvRecord(value: JsonValue): { ok: true; record: OsvRecord } | { ok: false; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const bad = (pointer: string, message: string): void => {
    if (problems.length < 20) problems.push({ pointer, message });
  };
  if (!isObject(value)) return { ok: false, problems: [{ pointer: '', message: 'an OSV record is a JSON object' }] };

  if (!isAdvisoryId(value['id'])) bad('/id', value['id'] === undefined ? 'id is missing' : `id ${JSON.stringify(value['id']).slice(0, 80)} is not an advisory id (letters, digits, '.', '_', ':', '-', at most ${MAX_ID_CHARS})`);
  const time = (key: 'modified' | 'published' | 'withdrawn', required: boolean): void => {
    const v = value[key];
    if (v === undefined) {
      if (required) bad(`/${key}`, `${key} is missing (an RFC 3339 time, e.g. 2024-06-17T19:09:12Z)`);
    } else if (typeof v !== 'string' || !RFC3339.test(v)) bad(`/${key}`, `${key} ${JSON.stringify(v).slice(0, 80)} is not an RFC 3339 time`);
  };
  time('modified', true);
  time('withdrawn', false);
  // published is shown, never compared: a string of any form is kept.
  if (value['published'] !== undefined && typeof value['published'] !== 'string') bad('/published', 'published is not a string');
  for (const key of ['summary', 'details', 'schema_version'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') bad(`/${key}`, `${key} is not a string`);
  }
  for (const key of ['aliases', 'related', 'upstream'] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) bad(`/${key}`, `${key} is not an array of ids`);
    else list.forEach((a, i) => {
      if (!isAdvisoryId(a)) bad(`/${key}/${i}`, `${key}[${i}] ${JSON.stringify(a).slice(0, 80)} is not an advisory id`);
    });
  }
  checkSeverityList(value['severity'], '/severity', bad);
  if (value['database_specific'] !== undefined && !isObject(value['database_specific'])) bad('/database_specific', 'database_specific is not an object');

  const affected = value['affected'];
  if (affected !== undefined) {
    if (!Array.isArray(affected)) bad('/affected', 'affected is not an array');
    else affected.forEach((entry, i) => checkAffected(entry, `/affected/${i}`, bad));
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, record: value as unknown as OsvRecord };
}

function checkSeverityList(list: JsonValue | undefined, at: string, bad: (p: string, m: string) => void): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return bad(at, 'severity is not an array');
  list.forEach((s, i) => {
    if (!isObject(s) || typeof s['type'] !== 'string' || typeof s['score'] !== 'string') bad(`${at}/${i}`, 'a severity entry is { "type": string, "score": string }');
  });
}

function checkAffected(entry: JsonValue, at: string, bad: (p: string, m: string) => void): void {
  if (!isObject(entry)) return bad(at, 'an affected entry is an object');
  const pkg = entry['package'];
  if (!isObject(pkg) || typeof pkg['ecosystem'] !== 'string' || typeof pkg['name'] !== 'string' || pkg['name'] === '') {
    bad(`${at}/package`, 'package is { "ecosystem": string, "name": string }');
  }
  checkSeverityList(entry['severity'], `${at}/severity`, bad);
  for (const key of ['ecosystem_specific', 'database_specific'] as const) {
    if (entry[key] !== undefined && !isObject(entry[key])) bad(`${at}/${key}`, `${key} is not an object`);
  }
  const versions = entry['versions'];
  if (versions !== undefined) {
    if (!Array.isArray(versions)) bad(`${at}/versions`, 'versions is not an array of strings');
    else versions.forEach((v, i) => {
      if (typeof v !== 'string') bad(`${at}/versions/${i}`, 'a version is a string');
    });
  }
  const ranges = entry['ranges'];
  if (ranges === undefined) return;
  if (!Array.isArray(ranges)) return bad(`${at}/ranges`, 'ranges is not an array');
  ranges.forEach((range, r) => {
    const where = `${at}/ranges/${r}`;
    if (!isObject(range) || typeof range['type'] !== 'string') return bad(where, 'a range is { "type": string, "events": [...] }');
    const events = range['events'];
    if (!Array.isArray(events) || events.length === 0) return bad(`${where}/events`, 'events is a non-empty array');
    events.forEach((evt, e) => {
      const keys = isObject(evt) ? EVENT_KEYS.filter((k) => evt[k] !== undefined) : [];
      if (!isObject(evt) || keys.length !== 1) {
        return bad(`${where}/events/${e}`, `an event holds exactly one of introduced, fixed, last_affected, limit${keys.length > 1 ? ` (this one holds ${keys.join(' and ')})` : ''}`);
      }
      if (typeof evt[keys[0]!] !== 'string') bad(`${where}/events/${e}/${keys[0]}`, `${keys[0]} is not a string`);
    });
  });
}
