/**
 * The default scanner: OSV records kept in SQLite (`<store>/advisories.db`, see database.ts),
 * evaluated as the OSV schema specifies (evaluate.ts) for the npm ecosystem.
 *
 *   const scanner = createOsvScanner({ path: './.pakt/advisories.db' });
 *   await scanner.importRecords(records, { importedAt: new Date().toISOString() });
 *   await scanner.affecting('lodash', ['4.17.20', '4.17.21']);  // Map version → advisories
 *
 * - Reads never create the file: a store with no advisories reports status() undefined.
 * - An import runs on its own connection in one IMMEDIATE transaction (whole or nothing, even when
 *   the process is killed); readers, in this process or another, see the database before or after
 *   it, never between.
 * - A lookup is one indexed query per package name, and its compiled rules are cached until the
 *   database changes (PRAGMA data_version, which sees other processes' commits too).
 */
import { createHash } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import {
  CORE_VERSION,
  type AdvisoryDbInfo,
  type AdvisoryImportCounts,
  type AdvisoryImportOptions,
  type AdvisoryMatch,
  type OsvRecord,
  type ScannerProvider,
} from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { compileRecord, deserializeRule, matchName, serializeRule, type NameRule } from './compile.js';
import { openDatabase, toScannerError, type OpenOptions } from './database.js';
import { entryAffects } from './evaluate.js';
import { mergeAliases } from './merge.js';
import { timestampKey } from './timestamp.js';
import { compareOsvVersions, formatOsvVersion, parseOsvVersion, type OsvVersion } from './version.js';

export interface OsvScannerOptions {
  /** The database file, e.g. `<store>/advisories.db` (created with its folder by the first import). Required. */
  path: string;
  /**
   * How long an import waits for another import's write lock before E_ADVISORIES_BUSY, in ms
   * (default 60000: an import of a whole feed takes seconds). Reads never wait for an import.
   */
  busyTimeoutMs?: number;
  /** `full` (default): an import is on disk when it resolves. `normal`: safe against a crash, not a power cut. */
  synchronous?: 'full' | 'normal';
  /** Package names whose compiled rules are kept in memory (default 20,000). */
  cachedNames?: number;
}

export interface OsvScanner extends ScannerProvider {
  /** The database file. */
  readonly file: string;
  importRecords: NonNullable<ScannerProvider['importRecords']>;
  affectedNames: NonNullable<ScannerProvider['affectedNames']>;
  getRecord: NonNullable<ScannerProvider['getRecord']>;
  close(): void;
}

interface RuleRow {
  id: string;
  aliases: string[];
  summary: string | null;
  modified: string;
  published: string | null;
  rule: NameRule;
}

const MAX_ID_CHARS = 256;
/** Ids OSV databases use: GHSA-…, CVE-…, MAL-…, PYSEC-…, GO-…, OSV-…; printable, no spaces. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function createOsvScanner(options: OsvScannerOptions): OsvScanner {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `path` of createOsvScanner: the database file, e.g. <store>/advisories.db');
  }
  const file = options.path;
  const busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
  const synchronous = options.synchronous ?? 'full';
  const cachedNames = options.cachedNames ?? 20_000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option busyTimeoutMs of createOsvScanner must be a non-negative integer, got ${String(options.busyTimeoutMs)}`);
  }
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new RegistryError('E_PROVIDER_OPTION', `option synchronous of createOsvScanner must be 'full' or 'normal', got ${String(synchronous)}`);
  }
  if (!Number.isSafeInteger(cachedNames) || cachedNames <= 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option cachedNames of createOsvScanner must be a positive integer, got ${String(options.cachedNames)}`);
  }
  const openOptions = (create: boolean): OpenOptions => ({ busyTimeoutMs, synchronous, create });

  let read: Db | null = null;
  let readSql: { version: Statement; rules: Statement; state: Statement } | null = null;
  let closed = false;
  let seenVersion: number | bigint = -1;
  const rules = new Map<string, RuleRow[]>();
  let names: ReadonlySet<string> | null = null;
  /** status() as last read (null: nothing imported), until the database changes. */
  let status: AdvisoryDbInfo | null | undefined;

  const assertOpen = (): void => {
    if (closed) throw new RegistryError('E_CLOSED', `the advisory database ${file} was closed`);
  };

  /** The read connection, opened on first use once the file exists; null while it does not. */
  const reader = (): Db | null => {
    if (read) return read;
    read = openDatabase(file, openOptions(false));
    if (read) {
      readSql = {
        version: read.prepare('PRAGMA data_version').pluck(),
        rules: read.prepare('SELECT id, aliases, summary, modified, published, rule FROM affected WHERE name = ?'),
        state: read.prepare('SELECT key, value FROM db_state'),
      };
    }
    return read;
  };

  /** Forgets cached rules when any connection (any process) committed since they were read. */
  const fresh = (): void => {
    const version = readSql!.version.get() as number;
    if (version !== seenVersion) {
      rules.clear();
      names = null;
      status = undefined;
      seenVersion = version;
    }
  };

  const withReader = <T>(what: string, absent: T, fn: (db: Db) => T): T => {
    assertOpen();
    try {
      const db = reader();
      if (db === null) return absent;
      fresh();
      return fn(db);
    } catch (err) {
      throw toScannerError(err, file, what);
    }
  };

  const loadRules = (name: string): RuleRow[] => {
    const known = rules.get(name);
    if (known) return known;
    const rows = readSql!.rules
      .all(name) as Array<{ id: string; aliases: string; summary: string | null; modified: string; published: string | null; rule: string }>;
    const loaded = rows.map((r) => ({ id: r.id, aliases: JSON.parse(r.aliases) as string[], summary: r.summary, modified: r.modified, published: r.published, rule: deserializeRule(r.rule) }));
    if (rules.size >= cachedNames) rules.clear();
    rules.set(name, loaded);
    return loaded;
  };

  const toMatch = (row: RuleRow, parsed: OsvVersion | null): AdvisoryMatch => ({
    id: row.id,
    aliases: row.aliases,
    severity: row.rule.severity.severity,
    severitySource: row.rule.severity.source,
    ...(row.rule.severity.score !== undefined ? { score: row.rule.severity.score } : {}),
    ...(row.summary !== null ? { summary: row.summary } : {}),
    fixed: row.rule.fixed.filter((f) => parsed === null || compareOsvVersions(f, parsed) > 0).map(formatOsvVersion),
    modified: row.modified,
    ...(row.published !== null ? { published: row.published } : {}),
  });

  const compareText = (a: string, b: string): number => {
    const pa = parseOsvVersion(a);
    const pb = parseOsvVersion(b);
    return pa && pb ? compareOsvVersions(pa, pb) : a < b ? -1 : a > b ? 1 : 0;
  };

  const scanner: OsvScanner = {
    info: { name: 'osv', family: 'scanner', coreRange: `^${CORE_VERSION}` },
    capabilities: { persistent: true, multiProcess: true },
    file,

    async status(): Promise<AdvisoryDbInfo | undefined> {
      return withReader('read its status', undefined, () => {
        if (status !== undefined) return status ?? undefined;
        const state = new Map((readSql!.state.all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
        const importedAt = state.get('imported_at');
        status = importedAt === undefined
          ? null
          : { version: state.get('version') ?? '', records: Number(state.get('records') ?? 0), newestModified: state.get('newest_modified') ?? null, importedAt };
        return status ?? undefined;
      });
    },

    async affecting(name, versions) {
      const out = new Map<string, AdvisoryMatch[]>();
      for (const v of versions) out.set(v, []);
      if (typeof name !== 'string' || name === '' || versions.length === 0) return out;
      return withReader('look up advisories', out, () => {
        const rows = loadRules(matchName(name));
        if (rows.length === 0) return out;
        for (const v of new Set(versions)) {
          const parsed = parseOsvVersion(v);
          const matches: AdvisoryMatch[] = [];
          for (const row of rows) {
            if (row.rule.entries.some((entry) => entryAffects(entry, v, parsed))) matches.push(toMatch(row, parsed));
          }
          if (matches.length > 0) out.set(v, mergeAliases(matches, compareText));
        }
        return out;
      });
    },

    async affectedNames() {
      return withReader('list affected packages', new Set<string>() as ReadonlySet<string>, (db) => {
        names ??= new Set(db.prepare('SELECT DISTINCT name FROM affected').pluck().all() as string[]);
        return names;
      });
    },

    async getRecord(id) {
      return withReader('read a record', undefined, (db) => {
        const row = db.prepare('SELECT record FROM advisories WHERE id = ?').get(id) as { record: string } | undefined;
        return row ? (JSON.parse(row.record) as OsvRecord) : undefined;
      });
    },

    async importRecords(records, options: AdvisoryImportOptions): Promise<AdvisoryImportCounts> {
      assertOpen();
      if (typeof options?.importedAt !== 'string' || timestampKey(options.importedAt) === null) {
        throw new RegistryError('E_INVALID_ARGUMENT', `importRecords needs options.importedAt as an ISO-8601 UTC time, got ${String(options?.importedAt)}`);
      }
      let db: Db | null;
      try {
        db = openDatabase(file, openOptions(true));
      } catch (err) {
        throw toScannerError(err, file, 'open it for an import');
      }
      if (db === null) throw new RegistryError('E_INTERNAL', `advisory database ${file} was not created`);
      const counts = { imported: 0, updated: 0, unchanged: 0, withdrawn: 0, ignored: 0 };
      try {
        db.exec('BEGIN IMMEDIATE');
        const sql = {
          get: db.prepare('SELECT modified_key, withdrawn FROM advisories WHERE id = ?'),
          put: db.prepare(`INSERT INTO advisories (id, modified, modified_key, withdrawn, record) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, modified_key = excluded.modified_key, withdrawn = excluded.withdrawn, record = excluded.record`),
          dropAffected: db.prepare('DELETE FROM affected WHERE id = ?'),
          addAffected: db.prepare('INSERT INTO affected (name, id, aliases, summary, modified, published, rule) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        };
        for await (const record of records) {
          const key = timestampKey(record?.modified);
          const problem = recordProblem(record, key);
          const compiled = problem === null ? compileRecord(record) : { ok: false as const, reason: problem };
          if (!compiled.ok) {
            if (options.onRejected) {
              options.onRejected(record, compiled.reason);
              continue;
            }
            const id = typeof record?.id === 'string' ? record.id.slice(0, 80) : '(no id)';
            throw new RegistryError('E_ADVISORY_INVALID', `advisory ${id} cannot be evaluated: ${compiled.reason}; nothing was imported`, { id, reason: compiled.reason });
          }
          const withdrawn = typeof record.withdrawn === 'string' ? record.withdrawn : null;
          const existing = sql.get.get(record.id) as { modified_key: string; withdrawn: string | null } | undefined;
          if (existing === undefined && compiled.names.size === 0) {
            counts.ignored++;
            continue;
          }
          if (existing !== undefined && key! <= existing.modified_key) {
            counts.unchanged++;
            continue;
          }
          sql.put.run(record.id, record.modified, key, withdrawn, JSON.stringify(record));
          if (existing !== undefined) sql.dropAffected.run(record.id);
          if (withdrawn === null && compiled.names.size > 0) {
            const aliases = JSON.stringify(aliasesOf(record));
            const summary = typeof record.summary === 'string' ? record.summary : null;
            const published = typeof record.published === 'string' ? record.published : null;
            for (const [name, rule] of compiled.names) sql.addAffected.run(name, record.id, aliases, summary, record.modified, published, serializeRule(rule));
          }
          if (withdrawn !== null && (existing === undefined || existing.withdrawn === null)) counts.withdrawn++;
          else if (existing === undefined) counts.imported++;
          else counts.updated++;
        }
        // What status() reports, computed here once rather than counted on every question.
        const version = fingerprint(db);
        const active = (db.prepare('SELECT COUNT(*) AS n FROM advisories WHERE withdrawn IS NULL').get() as { n: number }).n;
        const newest = db.prepare('SELECT modified FROM advisories ORDER BY modified_key DESC LIMIT 1').get() as { modified: string } | undefined;
        const setState = db.prepare('INSERT INTO db_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        setState.run('imported_at', options.importedAt);
        setState.run('version', version);
        setState.run('records', String(active));
        if (newest) setState.run('newest_modified', newest.modified);
        db.exec('COMMIT');
        return counts;
      } catch (err) {
        try {
          if (db.inTransaction) db.exec('ROLLBACK');
        } catch {
          // the connection is closed below; SQLite rolls back an unfinished transaction itself
        }
        throw toScannerError(err, file, 'import advisories');
      } finally {
        db.close();
      }
    },

    close() {
      if (closed) return;
      closed = true;
      rules.clear();
      read?.close();
      read = null;
      readSql = null;
    },
  };
  return scanner;
}

/** Why the provider cannot store `record` at all (the library checks the full shape first). */
function recordProblem(record: OsvRecord, modifiedKey: string | null): string | null {
  if (record === null || typeof record !== 'object') return 'it is not an object';
  if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > MAX_ID_CHARS || !ID_PATTERN.test(record.id)) {
    return `its id ${JSON.stringify(String(record.id).slice(0, 80))} is not an advisory id (letters, digits, '.', '_', ':', '-', at most ${MAX_ID_CHARS})`;
  }
  if (modifiedKey === null) return `its modified ${JSON.stringify(String(record.modified).slice(0, 80))} is not an RFC 3339 time`;
  if (record.withdrawn !== undefined && timestampKey(record.withdrawn) === null) return `its withdrawn ${JSON.stringify(String(record.withdrawn).slice(0, 80))} is not an RFC 3339 time`;
  return null;
}

function aliasesOf(record: OsvRecord): string[] {
  const out = new Set<string>();
  for (const a of record.aliases ?? []) if (typeof a === 'string' && a !== record.id) out.add(a);
  return [...out].sort();
}

/** sha256 over every stored (id, modified): equal contents give an equal version on any store. */
function fingerprint(db: Db): string {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT id, modified_key FROM advisories ORDER BY id').iterate() as IterableIterator<{ id: string; modified_key: string }>) {
    hash.update(`${row.id}\t${row.modified_key}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}
