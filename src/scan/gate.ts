/**
 * What every policy decision (decide.ts) and policy-aware resolution (policy-filter.ts) reads
 * first: the policy, the exemptions, and whether the advisory database can answer.
 *
 *   off     nothing to decide: both levels are `none`, or no policy was set and no database
 *           was ever imported (a store that never asked for advisories is not gated)
 *   active  the database answers and is recent enough
 *   failed  the scanner cannot answer: its database is unreadable, or missing although a policy
 *           was set; the policy's onScannerFailure decides (fail-closed refuses, fail-open allows)
 *   stale   the database is older than maxAdvisoryAgeHours: always refused (E_ADVISORIES_STALE),
 *           fail-open or not, since an old database answers "nothing found" wrongly
 */
import type { AdvisoryDbInfo, MetadataProvider, ScannerProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { ageHours } from './advisories.js';
import { formatDuration } from './duration.js';
import { readExemptions, type Exemption } from './exemptions.js';
import { readAdvisoryPolicy, type AdvisoryPolicy } from './policy.js';

export interface GateDeps {
  readonly metadata: MetadataProvider;
  readonly scanner: ScannerProvider;
}

export type GateState =
  | { readonly state: 'off'; readonly policy: AdvisoryPolicy; readonly stored: boolean; readonly exemptions: readonly Exemption[]; readonly reason: string }
  | { readonly state: 'active'; readonly policy: AdvisoryPolicy; readonly stored: boolean; readonly exemptions: readonly Exemption[]; readonly db: AdvisoryDbInfo }
  | { readonly state: 'failed' | 'stale'; readonly policy: AdvisoryPolicy; readonly stored: boolean; readonly exemptions: readonly Exemption[]; readonly error: RegistryError; readonly db?: AdvisoryDbInfo };

/** A scanner's failure as E_ADVISORIES_UNREADABLE (a RegistryError of its own passes through). */
export function scannerFailure(err: unknown, scanner: ScannerProvider): RegistryError {
  if (err instanceof RegistryError) return err;
  return new RegistryError('E_ADVISORIES_UNREADABLE', `scanner '${scanner.info.name}' failed: ${err instanceof Error ? err.message : String(err)}`, { scanner: scanner.info.name }, { cause: err });
}

export function missingError(): RegistryError {
  return new RegistryError('E_ADVISORIES_MISSING', 'no advisory database was ever imported into this store, so nothing can be checked');
}

/** E_ADVISORIES_STALE when `db` is older than `maxHours` (the setting named by `source`), else null. */
export function staleError(db: AdvisoryDbInfo, now: Date, maxHours: number | null, source: string): RegistryError | null {
  if (maxHours === null) return null;
  const age = ageHours(db, now);
  if (age <= maxHours) return null;
  const max = formatDuration(Math.round(maxHours * 3_600_000));
  return new RegistryError(
    'E_ADVISORIES_STALE',
    `the advisory database was imported ${age.toFixed(1)} hours ago (${db.importedAt}; newest record modified ${db.newestModified ?? 'never'}), older than allowed (${max}, ${source}); an older database could hide newer advisories`,
    { ageHours: age, maxAdvisoryAgeHours: maxHours, importedAt: db.importedAt, hint: `Import a current database (download https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip, then \`pakt advisories import all.zip\`), or allow an older one with \`pakt policy set --max-advisory-age ${formatDuration((Math.floor(age / 24) + 1) * 86_400_000)}\`.` },
  );
}

export async function prepareGate(deps: GateDeps, now: Date, maxAgeOverride?: number | null): Promise<GateState> {
  const stored = await readAdvisoryPolicy(deps.metadata.documents);
  const exemptions = await readExemptions(deps.metadata.documents);
  const base = { policy: stored.policy, stored: stored.stored, exemptions };
  if (stored.policy.block === 'none' && stored.policy.warn === 'none') return { state: 'off', ...base, reason: 'the policy blocks and warns at no level' };
  let db: AdvisoryDbInfo | undefined;
  try {
    db = await deps.scanner.status();
  } catch (err) {
    return { state: 'failed', ...base, error: scannerFailure(err, deps.scanner) };
  }
  if (!db) {
    if (!stored.stored) return { state: 'off', ...base, reason: 'no policy was set and no advisory database was imported' };
    return { state: 'failed', ...base, error: missingError() };
  }
  const maxHours = maxAgeOverride !== undefined ? maxAgeOverride : stored.policy.maxAdvisoryAgeHours;
  const stale = staleError(db, now, maxHours, maxAgeOverride !== undefined ? '--max-advisory-age' : "the policy's maximum advisory age");
  if (stale) return { state: 'stale', ...base, error: stale, db };
  return { state: 'active', ...base, db };
}
