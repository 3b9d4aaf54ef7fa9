/**
 * CVSS base scores from vector strings, for advisories that carry no `database_specific.severity`.
 *
 * - v3.0 and v3.1 (`CVSS:3.x/AV:N/AC:L/...`): the base score of the v3.1 specification, §7.1
 *   (first.org/cvss/v3.1/specification-document), with its Roundup (§Appendix A), which v3.0
 *   scores also follow (3.0's plain ceiling differs only by floating-point artefacts). Rated
 *   None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0.
 * - v2 (`AV:N/AC:L/Au:N/C:P/I:P/A:P`): the v2 base equation (first.org/cvss/v2/guide §3.2.1),
 *   rated as NVD does: Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0 (v2 has no Critical).
 * - v4 vectors are not scored: their base score comes from the specification's table of
 *   macro-vectors, not an equation, and GitHub's records carry `database_specific.severity`
 *   beside their vectors. A record with only a v4 vector is `unknown`.
 *
 * Every function is total: a vector that does not parse gives null.
 */

export interface CvssScore {
  readonly version: 2 | 3;
  readonly score: number;
  /** low | moderate | high | critical, pakt's names for CVSS's Low, Medium, High, Critical. */
  readonly rating: 'low' | 'moderate' | 'high' | 'critical';
}

const MAX_VECTOR_CHARS = 256;

/** `KEY:VALUE/...` pairs, each key once; null when malformed. */
function metrics(parts: readonly string[]): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) return null;
    const key = part.slice(0, colon);
    if (out.has(key)) return null;
    out.set(key, part.slice(colon + 1));
  }
  return out;
}

/** CVSS v3.1 Roundup: the smallest number with one decimal that is >= x, free of float error. */
export function roundup(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

const V3 = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

function pick<T extends Record<string, number>>(table: T, value: string | undefined): number | null {
  return value !== undefined && Object.hasOwn(table, value) ? table[value as keyof T]! : null;
}

/** Base score of a CVSS v3.0/v3.1 vector, or null. */
export function cvss3(vector: string): CvssScore | null {
  if (typeof vector !== 'string' || vector.length > MAX_VECTOR_CHARS) return null;
  const parts = vector.split('/');
  const head = parts.shift();
  if (head !== 'CVSS:3.0' && head !== 'CVSS:3.1') return null;
  const m = metrics(parts);
  if (m === null) return null;
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const av = pick(V3.AV, m.get('AV'));
  const ac = pick(V3.AC, m.get('AC'));
  const ui = pick(V3.UI, m.get('UI'));
  const c = pick(V3.CIA, m.get('C'));
  const i = pick(V3.CIA, m.get('I'));
  const a = pick(V3.CIA, m.get('A'));
  const prValue = m.get('PR');
  const pr = prValue === 'N' ? 0.85 : prValue === 'L' ? (scope === 'C' ? 0.68 : 0.62) : prValue === 'H' ? (scope === 'C' ? 0.5 : 0.27) : null;
  if (av === null || ac === null || ui === null || c === null || i === null || a === null || pr === null) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  let score: number;
  if (impact <= 0) score = 0;
  else if (scope === 'U') score = roundup(Math.min(impact + exploitability, 10));
  else score = roundup(Math.min(1.08 * (impact + exploitability), 10));
  return { version: 3, score, rating: rating3(score) };
}

function rating3(score: number): CvssScore['rating'] {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'moderate';
  return 'low'; // 0.0 ("None") is reported as low: the advisory exists, it just scores nothing
}

const V2 = {
  AV: { L: 0.395, A: 0.646, N: 1.0 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  CIA: { N: 0, P: 0.275, C: 0.66 },
} as const;

/** Base score of a CVSS v2 vector (optionally prefixed `CVSS:2.0/`), or null. */
export function cvss2(vector: string): CvssScore | null {
  if (typeof vector !== 'string' || vector.length > MAX_VECTOR_CHARS) return null;
  const parts = vector.replace(/^\(|\)$/g, '').split('/');
  if (parts[0] === 'CVSS:2.0') parts.shift();
  const m = metrics(parts);
  if (m === null) return null;
  const av = pick(V2.AV, m.get('AV'));
  const ac = pick(V2.AC, m.get('AC'));
  const au = pick(V2.Au, m.get('Au'));
  const c = pick(V2.CIA, m.get('C'));
  const i = pick(V2.CIA, m.get('I'));
  const a = pick(V2.CIA, m.get('A'));
  if (av === null || ac === null || au === null || c === null || i === null || a === null) return null;
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  const raw = (0.6 * impact + 0.4 * exploitability - 1.5) * f;
  const score = Math.max(0, Math.round(raw * 10 + 1e-9) / 10);
  return { version: 2, score, rating: score >= 7 ? 'high' : score >= 4 ? 'moderate' : 'low' };
}
