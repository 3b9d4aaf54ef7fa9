/**
 * One finding per vulnerability: records that match the same version and name each other, or a
 * common id, in `aliases` (GHSA-x with alias CVE-1, and a record CVE-1 of another database) are
 * the same vulnerability, reported once. The id shown is a GHSA id when one of the records is
 * GitHub's, else the smallest id; the others become aliases. Severity is the highest any of the
 * records gives (a known one above unknown); fixed versions are all of theirs.
 */
import type { AdvisoryMatch } from '../../../src/contracts/index.js';
import { severityRank } from './severity.js';

function preferred(a: string, b: string): number {
  const ag = a.startsWith('GHSA-') ? 0 : 1;
  const bg = b.startsWith('GHSA-') ? 0 : 1;
  return ag - bg || (a < b ? -1 : a > b ? 1 : 0);
}

const bySeverityThenId = (a: AdvisoryMatch, b: AdvisoryMatch): number => severityRank(b.severity) - severityRank(a.severity) || preferred(a.id, b.id);

export function mergeAliases(matches: readonly AdvisoryMatch[], compareFixed: (a: string, b: string) => number): AdvisoryMatch[] {
  if (matches.length <= 1) return [...matches];
  // The common case: no id or alias is shared, nothing to merge.
  const seen = new Set<string>();
  let shared = false;
  for (const m of matches) {
    for (const key of [m.id, ...m.aliases]) {
      if (seen.has(key)) shared = true;
      seen.add(key);
    }
  }
  if (!shared) return [...matches].sort(bySeverityThenId);
  // Union-find over the ids and aliases of the matched records.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const m of matches) {
    union(m.id, m.id);
    for (const alias of m.aliases) union(m.id, alias);
  }
  const groups = new Map<string, AdvisoryMatch[]>();
  for (const m of matches) {
    const root = find(m.id);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = []));
    group.push(m);
  }
  const out: AdvisoryMatch[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0]!);
      continue;
    }
    const lead = [...group].sort((a, b) => preferred(a.id, b.id))[0]!;
    let worst = group[0]!;
    for (const m of group) if (severityRank(m.severity) > severityRank(worst.severity)) worst = m;
    const ids = new Set<string>();
    const fixed = new Set<string>();
    let modified = lead.modified;
    for (const m of group) {
      ids.add(m.id);
      for (const a of m.aliases) ids.add(a);
      for (const f of m.fixed) fixed.add(f);
      if (m.modified > modified) modified = m.modified;
    }
    ids.delete(lead.id);
    out.push({
      id: lead.id,
      aliases: [...ids].sort(),
      severity: worst.severity,
      severitySource: worst.severitySource,
      ...(worst.score !== undefined ? { score: worst.score } : {}),
      ...(lead.summary !== undefined ? { summary: lead.summary } : {}),
      fixed: [...fixed].sort(compareFixed),
      modified,
      ...(lead.published !== undefined ? { published: lead.published } : {}),
    });
  }
  return out.sort(bySeverityThenId);
}
