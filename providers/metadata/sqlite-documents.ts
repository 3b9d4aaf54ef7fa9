/**
 * The documents facet of the SQLite metadata store (src/contracts/documents.ts): one table,
 * documents(kind, key, value, revision, updated_at), migration 3. `apply` runs inside the caller's
 * transaction (a version insert or delete, or writeTx on its own), so a batch lands whole or not at all.
 */
import type { Database } from 'better-sqlite3';
import type { DocumentListOptions, DocumentWrite, StoredDocument } from '../../src/contracts/index.js';
import { checkDocumentKey, checkDocumentKind, checkListOptions, compareKeys, revisionConflict } from './record-check.js';

interface DocRow {
  kind: string;
  key: string;
  value: string;
  revision: number;
  updated_at: string;
}

export interface SqliteDocuments {
  get(kind: string, key: string): StoredDocument | undefined;
  list(kind: string, options?: DocumentListOptions): StoredDocument[];
  /** Applies checked writes (texts from checkDocumentWrites) in the transaction already open. */
  apply(writes: readonly DocumentWrite[], texts: readonly string[]): void;
  /** apply() in a transaction of its own: `writeTx.immediate(writes, texts)`. */
  readonly writeTx: { immediate(writes: readonly DocumentWrite[], texts: readonly string[]): void };
}

export function createSqliteDocuments(db: Database): SqliteDocuments {
  const sql = {
    get: db.prepare('SELECT kind, key, value, revision, updated_at FROM documents WHERE kind = ? AND key = ?'),
    revision: db.prepare('SELECT revision FROM documents WHERE kind = ? AND key = ?').pluck(),
    // Keys from `from` (inclusive) or after `after`; prefix and limit are applied in the loop,
    // so a prefix of any characters needs no LIKE escaping.
    listFrom: db.prepare('SELECT kind, key, value, revision, updated_at FROM documents WHERE kind = ? AND key >= ? ORDER BY key'),
    listAfter: db.prepare('SELECT kind, key, value, revision, updated_at FROM documents WHERE kind = ? AND key > ? ORDER BY key'),
    put: db.prepare(
      'INSERT INTO documents (kind, key, value, revision, updated_at) VALUES (?, ?, ?, 1, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, revision = revision + 1, updated_at = excluded.updated_at',
    ),
    delete: db.prepare('DELETE FROM documents WHERE kind = ? AND key = ?'),
  };
  const toDoc = (r: DocRow): StoredDocument => ({ kind: r.kind, key: r.key, value: JSON.parse(r.value) as unknown, revision: r.revision, updatedAt: r.updated_at });

  const apply = (writes: readonly DocumentWrite[], texts: readonly string[]): void => {
    for (const w of writes) {
      if (w.expectRevision === undefined) continue;
      const found = (sql.revision.get(w.kind, w.key) as number | undefined) ?? 0;
      if (found !== w.expectRevision) throw revisionConflict(w.kind, w.key, w.expectRevision, found);
    }
    const now = new Date().toISOString();
    writes.forEach((w, i) => {
      if (w.op === 'delete') sql.delete.run(w.kind, w.key);
      else sql.put.run(w.kind, w.key, texts[i], now);
    });
  };

  return {
    get(kind, key) {
      checkDocumentKind(kind);
      checkDocumentKey(key);
      const row = sql.get.get(kind, key) as DocRow | undefined;
      return row ? toDoc(row) : undefined;
    },
    list(kind, options = {}) {
      checkDocumentKind(kind);
      checkListOptions(options);
      const { prefix = '', after, limit = Infinity } = options;
      const rows = (after !== undefined && compareKeys(after, prefix) >= 0 ? sql.listAfter.iterate(kind, after) : sql.listFrom.iterate(kind, prefix)) as IterableIterator<DocRow>;
      const out: StoredDocument[] = [];
      for (const row of rows) {
        if (out.length >= limit || !row.key.startsWith(prefix)) break;
        out.push(toDoc(row));
      }
      return out;
    },
    apply,
    writeTx: db.transaction(apply),
  };
}
