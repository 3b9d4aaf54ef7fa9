/**
 * How terms read in an explanation: "foo ^1.0.0" (the range as written), "foo >=1.1.0" (a set of
 * versions collapsed into ranges), "every version of foo", or just "root".
 */
import type { PackageData } from './catalogue.js';
import { versionsOf, type Term } from './incompatibility.js';
import { has, type Bits } from './version-set.js';

/**
 * A set of known versions as a range: runs of consecutive release versions become
 * `>=first <next` (open at either end of the list), lone versions inside the list are named
 * exactly, and prereleases in the set are listed after them. Bounds are release versions, so under
 * node-semver's prerelease rule the text admits exactly the versions in the set. Returns null for
 * every known version and '' for none.
 */
export function rangeText(pkg: PackageData, set: Bits): string | null {
  let all = true;
  let any = false;
  for (let i = 0; i < pkg.n; i++) {
    if (has(set, i)) any = true;
    else all = false;
  }
  if (all) return null;
  if (!any) return '';
  const releases: number[] = [];
  for (let i = 0; i < pkg.n; i++) if (!pkg.prerelease[i]) releases.push(i);
  const parts: string[] = [];
  let hasPrereleases = false;
  for (let i = 0; i < pkg.n; i++) if (pkg.prerelease[i] && has(set, i)) hasPrereleases = true;
  let k = 0;
  while (k < releases.length) {
    if (!has(set, releases[k]!)) {
      k++;
      continue;
    }
    const start = k;
    while (k + 1 < releases.length && has(set, releases[k + 1]!)) k++;
    const end = k;
    k++;
    const atStart = start === 0;
    const atEnd = end === releases.length - 1;
    const low = pkg.versions[releases[start]!]!;
    const next = atEnd ? '' : pkg.versions[releases[end + 1]!]!;
    // node-semver reads a range with a `*` alternative (`>=0.0.0` included) as just `*`, where
    // prereleases never match; so when prereleases follow, every release is written `<=highest`.
    if (atStart && atEnd) parts.push(hasPrereleases ? `<=${pkg.versions[releases[end]!]!}` : '*');
    else if (atStart) parts.push(`<${next}`);
    else if (atEnd) parts.push(`>=${low}`);
    else if (start === end) parts.push(low);
    else parts.push(`>=${low} <${next}`);
  }
  for (let i = 0; i < pkg.n; i++) if (pkg.prerelease[i] && has(set, i)) parts.push(pkg.versions[i]!);
  return parts.join(' || ');
}

/** "foo ^1.0.0"; with allowEvery, a term over every version reads "every version of foo". */
export function terse(term: Term, allowEvery = false): string {
  return describe(term.pkg, versionsOf(term), term.label, allowEvery);
}

export function describe(pkg: PackageData, versions: Bits, label: string | undefined, allowEvery = false): string {
  if (pkg.isRoot) return pkg.name;
  if (label !== undefined) return `${pkg.name} ${label}`;
  const text = rangeText(pkg, versions);
  if (text === null) return allowEvery ? `every version of ${pkg.name}` : pkg.name;
  if (text === '') return `no version of ${pkg.name}`;
  return `${pkg.name} ${text}`;
}
