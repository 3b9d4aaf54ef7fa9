/**
 * The in-memory metadata provider: the contract's behaviour with no disk, for tests and for hosts
 * that keep nothing between runs. Records are deep-copied in and out, so a caller mutating a
 * returned record cannot change what the store holds (the same isolation a database gives).
 * The copies are made by copyValue below rather than structuredClone: a resolution lists every
 * version of thousands of packages, and structuredClone's serialise-and-rebuild was most of its
 * time and garbage.
 */
import {
  CORE_VERSION,
  type Digest,
  type DocumentStore,
  type DocumentWrite,
  type InsertOutcome,
  type MetadataProvider,
  type StoredDocument,
  type VersionRecord,
} from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import {
  checkDocumentKey,
  checkDocumentKind,
  checkDocumentWrites,
  checkDownloadCount,
  checkListOptions,
  checkVersionRecord,
  compareKeys,
  parseChangeCursor,
  revisionConflict,
} from './record-check.js';

/**
 * A deep copy of a record's value. Records are JSON-shaped (strings, numbers, booleans, null,
 * plain objects and arrays), which are copied directly; anything else a host might put in
 * metadata (a Date, a Map) goes through structuredClone, so the result is what it always was.
 * So does anything nested deeper than JSON metadata ever is: structuredClone also copies a
 * cyclic object, where plain recursion would run out of stack.
 */
const MAX_PLAIN_COPY_DEPTH = 64;

function copyValue<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_PLAIN_COPY_DEPTH) return structuredClone(value);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], depth + 1);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copyValue((value as Record<string, unknown>)[key], depth + 1);
    // A key "__proto__" (JSON.parse makes it an own property) must stay a property, not a prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}

export interface MemoryMetadataOptions {
  /** Records to start with (inserted in order through insertVersion's rules). */
  initial?: readonly VersionRecord[];
  /**
   * How many changes changesSince keeps (default 10,000); a cursor further behind is answered
   * as incomplete. Memory is one process, so the feed only matters to several managers sharing
   * one provider; it is kept for the contract's sake, and cheap.
   */
  changesKept?: number;
}

export function createMemoryMetadata(options: MemoryMetadataOptions = {}): MetadataProvider {
  /** name → version → record */
  const packages = new Map<string, Map<string, VersionRecord>>();
  const downloads = new Map<string, number>();
  let closed = false;

  // The change feed: the name of every version inserted or deleted, change n at log[n - logStart].
  // Trimmed in halves, so keeping the last `kept` costs O(1) per change on average.
  const kept = options.changesKept ?? 10_000;
  if (!Number.isSafeInteger(kept) || kept <= 0) {
    throw new RegistryError('E_PROVIDER_OPTION', `option changesKept of createMemoryMetadata must be a positive integer, got ${String(options.changesKept)}`);
  }
  let log: string[] = [];
  let logStart = 1;
  const head = (): number => logStart + log.length - 1;
  const logChange = (name: string): void => {
    log.push(name);
    if (log.length >= 2 * kept) {
      const last = head();
      log = log.slice(log.length - kept);
      logStart = last - kept + 1;
    }
  };

  const open = (): void => {
    if (closed) throw new RegistryError('E_CLOSED', 'the in-memory metadata store was used after close()');
  };

  /** kind → key → document; values are kept as JSON text, so every read is a fresh copy. */
  const docs = new Map<string, Map<string, { text: string; revision: number; updatedAt: string }>>();
  /** Checks a batch whole (arguments, then revisions) and returns the step that applies it. */
  const prepareWrites = (writes: readonly DocumentWrite[] | undefined): (() => void) => {
    if (writes === undefined || writes.length === 0) return () => undefined;
    const texts = checkDocumentWrites(writes);
    for (const w of writes) {
      const found = docs.get(w.kind)?.get(w.key)?.revision ?? 0;
      if (w.expectRevision !== undefined && w.expectRevision !== found) throw revisionConflict(w.kind, w.key, w.expectRevision, found);
    }
    return () => {
      const now = new Date().toISOString();
      writes.forEach((w, i) => {
        let ofKind = docs.get(w.kind);
        if (w.op === 'delete') {
          ofKind?.delete(w.key);
          return;
        }
        if (!ofKind) docs.set(w.kind, (ofKind = new Map()));
        ofKind.set(w.key, { text: texts[i]!, revision: (ofKind.get(w.key)?.revision ?? 0) + 1, updatedAt: now });
      });
    };
  };
  const documents: DocumentStore = {
    async get(kind, key) {
      open();
      checkDocumentKind(kind);
      checkDocumentKey(key);
      const d = docs.get(kind)?.get(key);
      return d ? { kind, key, value: JSON.parse(d.text) as unknown, revision: d.revision, updatedAt: d.updatedAt } : undefined;
    },
    async list(kind, options = {}) {
      open();
      checkDocumentKind(kind);
      checkListOptions(options);
      const { prefix = '', after, limit = Infinity } = options;
      const out: StoredDocument[] = [];
      const keys = [...(docs.get(kind)?.keys() ?? [])].filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0)).sort(compareKeys);
      for (const key of keys.slice(0, limit)) {
        const d = docs.get(kind)!.get(key)!;
        out.push({ kind, key, value: JSON.parse(d.text) as unknown, revision: d.revision, updatedAt: d.updatedAt });
      }
      return out;
    },
    async write(writes) {
      open();
      prepareWrites(writes)();
    },
  };

  const insert = (record: VersionRecord, writes?: readonly DocumentWrite[]): InsertOutcome => {
    checkVersionRecord(record);
    let versions = packages.get(record.name);
    const existing = versions?.get(record.version);
    if (existing) {
      if (writes !== undefined) checkDocumentWrites(writes);
      return existing.digest === record.digest
        ? { status: 'unchanged', existing: copyValue(existing) }
        : { status: 'conflict', existing: copyValue(existing) };
    }
    prepareWrites(writes)();
    if (!versions) {
      versions = new Map();
      packages.set(record.name, versions);
    }
    versions.set(record.version, copyValue(record));
    logChange(record.name);
    return { status: 'inserted' };
  };

  for (const record of options.initial ?? []) insert(record);

  const referenced = (digest: Digest): boolean => {
    for (const versions of packages.values()) {
      for (const record of versions.values()) if (record.digest === digest) return true;
    }
    return false;
  };
  /** Set while removeIfUnreferenced runs its `remove`: inserts wait for it. */
  let removing: Promise<void> | undefined;

  return {
    info: { name: 'memory', family: 'metadata', coreRange: `^${CORE_VERSION}` },
    capabilities: { multiProcess: false, persistent: false },

    async insertVersion(record, writes) {
      open();
      while (removing) await removing;
      open();
      return insert(record, writes);
    },

    async getVersion(name, version) {
      open();
      const record = packages.get(name)?.get(version);
      return record ? copyValue(record) : undefined;
    },

    async listVersions(name) {
      open();
      return [...(packages.get(name)?.values() ?? [])].map((r) => copyValue(r));
    },

    async listVersionNumbers(name) {
      open();
      return [...(packages.get(name)?.keys() ?? [])];
    },

    async listPackageNames() {
      open();
      return [...packages.keys()].sort();
    },

    async *allVersions() {
      open();
      // Snapshot the keys so a delete during iteration neither throws nor skips unrelated rows.
      for (const name of [...packages.keys()].sort()) {
        for (const record of [...(packages.get(name)?.values() ?? [])]) {
          yield copyValue(record);
        }
      }
    },

    async deleteVersion(name, version, writes) {
      open();
      const versions = packages.get(name);
      const record = versions?.get(version);
      if (writes !== undefined) checkDocumentWrites(writes);
      if (!versions || !record) return undefined;
      prepareWrites(writes)();
      versions.delete(version);
      if (versions.size === 0) packages.delete(name);
      logChange(name);
      return record;
    },

    async isDigestReferenced(digest: Digest) {
      open();
      return referenced(digest);
    },

    async removeIfUnreferenced(digest: Digest, remove: () => Promise<boolean>) {
      open();
      while (removing) await removing;
      if (referenced(digest)) return false;
      let release!: () => void;
      removing = new Promise((resolve) => (release = resolve));
      try {
        return await remove();
      } finally {
        removing = undefined;
        release();
      }
    },

    async changesSince(cursor) {
      open();
      if (cursor === undefined) return { cursor: String(head()), names: [], complete: true };
      const from = parseChangeCursor(cursor, 'the in-memory metadata store');
      if (from < logStart - 1 || from > head()) return { cursor: String(head()), names: [], complete: false };
      return { cursor: String(head()), names: [...new Set(log.slice(from - logStart + 1))], complete: true };
    },

    documents,

    async addDownloads(name, count) {
      open();
      checkDownloadCount(name, count);
      downloads.set(name, (downloads.get(name) ?? 0) + count);
    },

    async getDownloads(names) {
      open();
      return new Map(names.map((n) => [n, downloads.get(n) ?? 0]));
    },

    close() {
      closed = true;
    },
  };
}

export default createMemoryMetadata;
