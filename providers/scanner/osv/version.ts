/**
 * Versions as OSV ranges of the npm ecosystem use them, ordered by SemVer 2.0.0 precedence
 * (semver.org §11): major, minor, patch numerically; a prerelease sorts before its release;
 * prerelease identifiers left to right, numeric ones numerically and below alphanumeric ones,
 * alphanumeric ones in ASCII order, a shorter list first when all before are equal; build
 * metadata ignored.
 *
 * Event versions are read a little more leniently than pakt's own versions, because real
 * advisories hold such strings (GitHub's GHSA-r683-j2x4-v87g has `"introduced": "1.0"`): a
 * missing minor or patch counts as 0 (what npm's loose parser and osv-scanner do), and a leading
 * `v` or `=` is dropped. Anything else is not a version, and a record whose range holds one is
 * refused at import rather than guessed at.
 */

/** A parsed version: numeric parts and prerelease identifiers (numbers for numeric ones). */
export interface OsvVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: ReadonlyArray<string | number>;
}

/** Longer strings are never versions (and never reach the regular expression). */
const MAX_VERSION_CHARS = 256;

const LENIENT =
  /^[vV=]?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const NUMERIC = /^\d+$/;

/** The version, or null when `text` is not one (never throws). */
export function parseOsvVersion(text: unknown): OsvVersion | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_VERSION_CHARS) return null;
  const m = LENIENT.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return null;
  const pre: Array<string | number> = [];
  if (m[4] !== undefined) {
    for (const id of m[4].split('.')) {
      if (NUMERIC.test(id)) {
        const n = Number(id);
        if (!Number.isSafeInteger(n)) return null;
        pre.push(n);
      } else pre.push(id);
    }
  }
  return { major, minor, patch, pre };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  const an = typeof a === 'number';
  const bn = typeof b === 'number';
  if (an && bn) return (a as number) - (b as number);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative, zero or positive by SemVer 2.0.0 precedence. */
export function compareOsvVersions(a: OsvVersion, b: OsvVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  const ap = a.pre;
  const bp = b.pre;
  if (ap.length === 0 || bp.length === 0) return bp.length - ap.length;
  const n = Math.min(ap.length, bp.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(ap[i]!, bp[i]!);
    if (c !== 0) return c;
  }
  return ap.length - bp.length;
}

/** The version as text in canonical form (what messages and `fixed` lists show for a lenient one). */
export function formatOsvVersion(v: OsvVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre.length > 0 ? `-${v.pre.join('.')}` : ''}`;
}
