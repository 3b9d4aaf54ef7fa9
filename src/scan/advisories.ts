/**
 * `advisories import` and `advisories status`: getting an advisory database into a store, and
 * asking how current it is.
 *
 * Import reads every document of the input (import-source.ts), parses each with the strict JSON
 * parser (no duplicate keys, no __proto__, bounded depth), checks each record's shape
 * (osv-record.ts), and hands the records to the scanner, which stores them in one transaction.
 *
 * A malformed record refuses the whole import by default, listing every bad record with its
 * file: an advisory database with silent holes answers "nothing found" for the very packages
 * whose advisories were dropped, which is the failure a gate must never have. The previous
 * database stays as it was. `skipInvalid` imports the valid records and lists the skipped ones,
 * for an operator who has read the list. A damaged or unsafe ZIP is refused whatever the setting.
 */
import type { AdvisoryDbInfo, AdvisoryImportCounts, OsvRecord, ScannerProvider } from '../contracts/index.js';
import { RegistryError } from '../errors.js';
import { resolveAdvisoryImportLimits, type AdvisoryImportLimits } from '../limits.js';
import { parseStrictJson, type JsonValue } from '../package/strict-json.js';
import { nowOf, recordScanAudit, type AuditDeps } from './audit.js';
import { advisoryDocuments, inputKind, type InputKind } from './import-source.js';
import { checkOsvRecord } from './osv-record.js';

export interface AdvisoryDeps extends AuditDeps {
  readonly scanner: ScannerProvider;
}

export interface ImportAdvisoriesOptions {
  /** Import the valid records and skip (and list) malformed ones, instead of refusing all. */
  skipInvalid?: boolean;
  limits?: Partial<AdvisoryImportLimits>;
  /** Called every 1,000 records read, and at the end. */
  onProgress?: (records: number) => void;
}

export interface SkippedRecord {
  /** The file (or `zip:entry`, with `#/<index>` inside an array) the record came from. */
  readonly file: string;
  readonly id?: string;
  readonly message: string;
}

export interface ImportReport extends AdvisoryImportCounts {
  /** Records read from the input (valid or not). */
  readonly records: number;
  /** Malformed records skipped (only with skipInvalid; at most 1,000 listed, `skippedCount` counts all). */
  readonly skipped: readonly SkippedRecord[];
  readonly skippedCount: number;
  readonly input: { readonly path: string; readonly kind: InputKind; readonly documents: number };
  readonly db: AdvisoryDbInfo;
}

/** SPEC §8's `db` object, plus its age. */
export interface AdvisoryStatus extends AdvisoryDbInfo {
  readonly ageHours: number;
}

const MAX_LISTED = 1000;
const SHOWN_IN_MESSAGE = 20;
const JSON_DEPTH = 64;

export function requireImports(scanner: ScannerProvider): NonNullable<ScannerProvider['importRecords']> {
  if (typeof scanner.importRecords !== 'function') {
    throw new RegistryError('E_PROVIDER_INCOMPATIBLE', `scanner '${scanner.info.name}' takes no imports (its feed is read-only); import into the feed it reads from instead`, { found: scanner.info.name });
  }
  return scanner.importRecords.bind(scanner);
}

function idOf(value: JsonValue): string | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value['id'] === 'string' ? value['id'].slice(0, 256) : undefined;
}

/** Imports the OSV records of a file, folder or ZIP; the database changes whole or not at all. */
export async function importAdvisories(deps: AdvisoryDeps, input: string, options: ImportAdvisoriesOptions = {}): Promise<ImportReport> {
  const importRecords = requireImports(deps.scanner);
  const limits = resolveAdvisoryImportLimits(options.limits);
  const skipped: SkippedRecord[] = [];
  let skippedCount = 0;
  let records = 0;
  let valid = 0;
  let documents = 0;
  const origin = new WeakMap<OsvRecord, string>();
  const skip = (entry: SkippedRecord): void => {
    skippedCount++;
    if (skipped.length < MAX_LISTED) skipped.push(entry);
  };
  const progress = (): void => {
    if (options.onProgress && records % 1000 === 0) options.onProgress(records);
  };
  let kind: InputKind | undefined;
  try {
    kind = inputKind(input);
    const inputKindFound = kind;
    const stream = async function* (): AsyncGenerator<OsvRecord> {
      for await (const doc of advisoryDocuments(input, inputKindFound, limits)) {
        documents++;
        let value: JsonValue;
        try {
          value = parseStrictJson(doc.bytes, { maxDepth: JSON_DEPTH, source: doc.source });
        } catch (err) {
          if (!(err instanceof RegistryError) || !err.code.startsWith('E_PKG_JSON')) throw err;
          records++;
          skip({ file: doc.source, message: err.message });
          continue;
        }
        const items: Array<[JsonValue, string]> = Array.isArray(value) ? value.map((v, i) => [v, `${doc.source}#/${i}`]) : [[value, doc.source]];
        for (const [item, where] of items) {
          records++;
          progress();
          const checked = checkOsvRecord(item);
          if (!checked.ok) {
            const id = idOf(item);
            skip({ file: where, ...(id ? { id } : {}), message: checked.problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; ') });
            continue;
          }
          origin.set(checked.record, where);
          valid++;
          yield checked.record;
        }
      }
      // Reached only when every record was read: the scanner has not committed yet, so a
      // refusal here leaves the database as it was.
      if (records === 0) {
        throw new RegistryError('E_ADVISORY_INPUT_EMPTY', `${input} holds no OSV records (${documents === 0 ? 'no .json files' : 'only empty arrays'})`, { path: input });
      }
      // Skipping is for a few bad records among good ones; an input of nothing but bad ones is refused.
      if (skippedCount > 0 && (options.skipInvalid !== true || valid === 0)) throw invalidError(input, skipped, skippedCount, records);
    };
    const counts = await importRecords(stream(), {
      importedAt: nowOf(deps).toISOString(),
      onRejected: (record, reason) => skip({ file: origin.get(record) ?? input, id: record.id, message: reason }),
    });
    options.onProgress?.(records);
    const db = await deps.scanner.status();
    if (!db) throw new RegistryError('E_INTERNAL', `scanner '${deps.scanner.info.name}' reports no database after an import`);
    const report: ImportReport = { ...counts, records, skipped, skippedCount, input: { path: input, kind, documents }, db };
    await recordScanAudit(deps, {
      action: 'advisories-import',
      outcome: 'success',
      detail: { input, kind, records, imported: counts.imported, updated: counts.updated, unchanged: counts.unchanged, withdrawn: counts.withdrawn, ignored: counts.ignored, skipped: skippedCount, dbVersion: db.version },
    });
    return report;
  } catch (err) {
    const error = err instanceof RegistryError ? err : new RegistryError('E_INTERNAL', `importing advisories from ${input} failed: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    await recordScanAudit(deps, { action: 'advisories-import', outcome: 'failure', code: error.code, message: error.message.slice(0, 2000), detail: { input, ...(kind ? { kind } : {}), records } });
    throw error;
  }
}

function invalidError(input: string, skipped: readonly SkippedRecord[], count: number, records: number): RegistryError {
  const lines = skipped.slice(0, SHOWN_IN_MESSAGE).map((s) => `  ${s.file}${s.id ? ` (${s.id})` : ''}: ${s.message}`);
  if (count > lines.length) lines.push(`  … and ${count - lines.length} more`);
  return new RegistryError(
    'E_ADVISORY_INVALID',
    `${count} of ${records} advisory records in ${input} cannot be imported, so nothing was imported:\n${lines.join('\n')}`,
    { path: input, invalid: skipped.slice(0, 100), invalidCount: count, hint: `Fix or remove the records listed, or import the valid ones and skip these with \`pakt advisories import ${quoteArg(input)} --skip-invalid\`.` },
  );
}

/** An argument as a shell reads it back: quoted when it holds anything but plain path characters. */
export function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The database's version, size and age; undefined when nothing was ever imported. */
export async function advisoryStatus(deps: AdvisoryDeps): Promise<AdvisoryStatus | undefined> {
  const db = await deps.scanner.status();
  if (!db) return undefined;
  return { ...db, ageHours: ageHours(db, nowOf(deps)) };
}

/** Hours since the database was imported, to 0.01 h (never negative, whatever the clocks say). */
export function ageHours(db: AdvisoryDbInfo, now: Date): number {
  const ms = now.getTime() - Date.parse(db.importedAt);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 36_000) / 100) : 0;
}
