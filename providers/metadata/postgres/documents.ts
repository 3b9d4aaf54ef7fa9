/**
 * The documents facet of the PostgreSQL store (src/contracts/documents.ts) on the `documents`
 * table and the apply_documents function of migration 3. A batch is one statement, so it lands
 * whole or not at all; insertVersion and deleteVersion pass the same arrays (writeArrays) to
 * their own functions so their writes share the version's transaction.
 */
import type { DocumentListOptions, DocumentStore, DocumentWrite, StoredDocument } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { checkDocumentKey, checkDocumentKind, checkDocumentWrites, checkListOptions, compareKeys } from '../record-check.js';
import type { Connection } from './connection.js';
import { parseStoredJson } from './rows.js';

/** The writes as the parallel arrays apply_documents takes (ops, kinds, keys, texts, expects). */
export interface WriteArrays {
  ops: string[];
  kinds: string[];
  keys: string[];
  texts: Array<string | null>;
  expects: Array<number | null>;
}

/** A lone surrogate: pg would send it as U+FFFD, silently storing another key than asked. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkWellFormed(text: string | undefined, what: string): void {
  if (text !== undefined && LONE_SURROGATE.test(text)) {
    throw new RegistryError('E_INVALID_ARGUMENT', `document ${what} ${JSON.stringify(text.slice(0, 80))} holds a lone UTF-16 surrogate, which UTF-8 cannot carry`, { found: text.slice(0, 80) });
  }
}

/** Checks a batch (refusing it whole before anything is written) and returns its arrays. */
export function writeArrays(writes: readonly DocumentWrite[] | undefined): WriteArrays {
  const out: WriteArrays = { ops: [], kinds: [], keys: [], texts: [], expects: [] };
  if (writes === undefined) return out;
  const texts = checkDocumentWrites(writes);
  writes.forEach((w, i) => {
    checkWellFormed(w.key, 'key');
    out.ops.push(w.op);
    out.kinds.push(w.kind);
    out.keys.push(w.key);
    out.texts.push(w.op === 'put' ? texts[i]! : null);
    out.expects.push(w.expectRevision ?? null);
  });
  return out;
}

interface DocumentRow {
  kind: string;
  key: string;
  value: string;
  revision: string;
  updated_at: string;
}

const DOCUMENT_COLUMNS = `kind, key, value, revision, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at`;

const toDocument = (r: DocumentRow): StoredDocument => ({
  kind: r.kind,
  key: r.key,
  value: parseStoredJson(r.value, `documents row ${r.kind}/${r.key.slice(0, 80)} (column value)`),
  revision: Number(r.revision),
  updatedAt: r.updated_at,
});

/**
 * The smallest string above every string that starts with `prefix`, in code point order: the last
 * code point raised by one (skipping the surrogate range), after dropping trailing U+10FFFF.
 * Undefined when there is none (an empty prefix, or only U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

export function createPostgresDocuments(conn: Connection, schema: string): DocumentStore {
  const table = `${schema}.documents`;
  return {
    async get(kind, key) {
      checkDocumentKind(kind);
      checkDocumentKey(key);
      checkWellFormed(key, 'key');
      const rows = await conn.query<DocumentRow>(`read document ${kind}/${key.slice(0, 80)}`, `SELECT ${DOCUMENT_COLUMNS} FROM ${table} WHERE kind = $1 AND key = $2`, [kind, key], false);
      return rows[0] ? toDocument(rows[0]) : undefined;
    },

    async list(kind, options: DocumentListOptions = {}) {
      checkDocumentKind(kind);
      checkListOptions(options);
      const { prefix = '', after, limit } = options;
      checkWellFormed(prefix, 'prefix');
      checkWellFormed(after, 'after');
      if (limit === 0) return [];
      // One statement, so the page comes from one snapshot: keys in [prefix, prefixEnd) are
      // exactly those that start with the prefix, in the "C" collation's code point order.
      const params: unknown[] = [kind];
      const where = ['kind = $1'];
      if (after !== undefined && compareKeys(after, prefix) >= 0) {
        params.push(after);
        where.push(`key > $${params.length}`);
      } else if (prefix !== '') {
        params.push(prefix);
        where.push(`key >= $${params.length}`);
      }
      const end = prefixEnd(prefix);
      if (end !== undefined) {
        params.push(end);
        where.push(`key < $${params.length}`);
      }
      let sql = `SELECT ${DOCUMENT_COLUMNS} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY key`;
      if (limit !== undefined) {
        params.push(limit);
        sql += ` LIMIT $${params.length}`;
      }
      const rows = await conn.query<DocumentRow>(`list documents of kind ${kind}`, sql, params, false);
      return rows.map(toDocument);
    },

    async write(writes) {
      const a = writeArrays(writes);
      if (a.ops.length === 0) return;
      // A failed revision check raises PK409, which the connection maps to E_META_CONFLICT.
      await conn.query(
        `write ${a.ops.length} document(s)`,
        `SELECT ${schema}.apply_documents($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])`,
        [a.ops, a.kinds, a.keys, a.texts, a.expects],
        true,
      );
    },
  };
}
