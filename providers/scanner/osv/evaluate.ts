/**
 * The OSV evaluation (osv-schema, "Evaluation"), implemented as the specification writes it, not
 * translated into version ranges:
 *
 *   IsVulnerable(pkg, v): some affected[] entry for pkg has v in its versions[] or in one of its
 *   ranges. In a range: v must lie before one of its `limit` events (no limit: `*`, infinity);
 *   then the events are walked in sorted order with vulnerable = false: an `introduced` at or
 *   below v (or "0") sets it, a `fixed` at or below v clears it, a `last_affected` below v clears
 *   it; v is in the range when vulnerable is left set.
 *
 * Only SEMVER and ECOSYSTEM ranges are evaluated (npm's ECOSYSTEM order is SemVer's); GIT ranges
 * need the repository's commit graph and are ignored, as are types the schema does not define.
 * Events with equal versions keep the order the record gives them (the sort is stable).
 */
import { compareOsvVersions, parseOsvVersion, type OsvVersion } from './version.js';

/** An event ready to compare: "0" is ZERO, below every version. */
export type EventPoint = OsvVersion | 'zero';

export interface CompiledEvent {
  readonly kind: 'introduced' | 'fixed' | 'last_affected';
  readonly at: EventPoint;
}

export interface CompiledRange {
  /** Sorted by version ("0" first), stable; `limit` events are not here. */
  readonly events: readonly CompiledEvent[];
  /** The limit events; null when the range has none (the implicit `*`); 'infinity' for a `*` limit. */
  readonly limits: ReadonlyArray<OsvVersion | 'infinity'> | null;
}

/** One affected[] entry for one package. */
export interface CompiledEntry {
  /** versions[] as given, for exact matches. */
  readonly versions: readonly string[];
  /** versions[] parsed where they parse (null where not), for matches that ignore build metadata. */
  readonly parsedVersions: ReadonlyArray<OsvVersion | null>;
  readonly ranges: readonly CompiledRange[];
}

function atOrBelow(point: EventPoint, v: OsvVersion): boolean {
  return point === 'zero' || compareOsvVersions(point, v) <= 0;
}

function beforeLimits(v: OsvVersion, range: CompiledRange): boolean {
  if (range.limits === null) return true;
  for (const limit of range.limits) {
    if (limit === 'infinity' || compareOsvVersions(v, limit) < 0) return true;
  }
  return false;
}

export function includedInRange(v: OsvVersion, range: CompiledRange): boolean {
  if (!beforeLimits(v, range)) return false;
  let vulnerable = false;
  for (const evt of range.events) {
    if (evt.kind === 'introduced') {
      if (atOrBelow(evt.at, v)) vulnerable = true;
    } else if (evt.kind === 'fixed') {
      if (atOrBelow(evt.at, v)) vulnerable = false;
    } else if (evt.at !== 'zero' && compareOsvVersions(v, evt.at) > 0) {
      vulnerable = false; // last_affected below v
    }
  }
  return vulnerable;
}

function includedInVersions(version: string, parsed: OsvVersion | null, entry: CompiledEntry): boolean {
  for (let i = 0; i < entry.versions.length; i++) {
    if (entry.versions[i] === version) return true;
    const listed = entry.parsedVersions[i];
    if (parsed !== null && listed !== null && listed !== undefined && compareOsvVersions(parsed, listed) === 0) return true;
  }
  return false;
}

/** True when `version` (its parsed form, or null when it is not SemVer) is affected through `entry`. */
export function entryAffects(entry: CompiledEntry, version: string, parsed: OsvVersion | null): boolean {
  if (includedInVersions(version, parsed, entry)) return true;
  if (parsed === null) return false;
  for (const range of entry.ranges) if (includedInRange(parsed, range)) return true;
  return false;
}

export { parseOsvVersion };
