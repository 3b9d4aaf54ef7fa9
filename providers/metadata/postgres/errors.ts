/**
 * Maps what pg and the PostgreSQL server raise to coded errors. A raw database error never reaches
 * the user: each class a caller can act on has its code (E_META_UNAVAILABLE and E_META_TIMEOUT are
 * retryable, and say so), the original is kept as `cause`, and no message carries a password.
 *
 * SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
import { RegistryError } from '../../../src/errors.js';
import { revisionConflict } from '../record-check.js';
import { redact } from './options.js';

/** Raised by the schema's functions when a document's expectRevision does not hold (migrations.ts). */
export const DOCUMENT_CONFLICT_SQLSTATE = 'PK409';

/** What a failure means for the caller. */
export type FailureClass =
  | 'unavailable' //   the server is unreachable, going down, starting up, or out of connections
  | 'retry' //         serialization failure or deadlock: the server rolled the transaction back
  | 'timeout' //       statement_timeout / lock_timeout cancelled it (rolled back)
  | 'auth'
  | 'database'
  | 'permission'
  | 'tls'
  | 'document-conflict'
  | 'version-exists' // a unique violation of (name, version), from a write path other than ours
  | 'other';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ENETDOWN']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/;
/** pg's own messages for a connection it lost or could not make (they carry no code). */
const LOST_CONNECTION = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection ended unexpectedly|Client was closed/i;

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  // No SQLSTATE class starts with E; Node's EPIPE is five capitals too.
  return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : undefined;
}

export function classify(err: unknown): FailureClass {
  const state = sqlState(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (state !== undefined) {
    if (state === DOCUMENT_CONFLICT_SQLSTATE) return 'document-conflict';
    if (state === '23505' && (err as { constraint?: unknown }).constraint === 'versions_name_version') return 'version-exists';
    if (state === '40001' || state === '40P01') return 'retry';
    if (state === '57014' || state === '55P03') return 'timeout';
    if (state === '28P01' || state === '28000') return 'auth';
    if (state === '3D000') return 'database';
    if (state === '42501') return 'permission';
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53: out of
    // resources (too many connections, disk full, memory); 58: system error on the server.
    if (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03' || state.startsWith('53') || state === '58000' || state === '58030') return 'unavailable';
    return 'other';
  }
  if (typeof code === 'string' && TLS_CODE.test(code)) return 'tls';
  if (/The server does not support SSL connections|self[- ]signed certificate|certificate/i.test(message)) return 'tls';
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unavailable';
  if (LOST_CONNECTION.test(message)) return 'unavailable';
  return 'other';
}

export interface MapContext {
  /** `user@host:port/database`. */
  target: string;
  /** What was being done, e.g. `insert left-pad@1.0.0`. */
  what: string;
  secrets: readonly string[];
  /**
   * True when the statement may have reached the server and was a write: a lost connection then
   * leaves it unknown whether it was applied, and the message says so.
   */
  writeInDoubt?: boolean;
}

/** Wraps `err` into a RegistryError naming the database (never its password) and what failed. */
export function toMetaError(err: unknown, ctx: MapContext): RegistryError {
  if (err instanceof RegistryError) return err;
  const kind = classify(err);
  const state = sqlState(err);
  const raw = redact(err instanceof Error ? err.message : String(err), ctx.secrets);
  const reason = state ? `${raw} (SQLSTATE ${state})` : raw;
  const cause = sanitisedCause(err, ctx.secrets);
  const base = { database: ctx.target, ...(state ? { sqlState: state } : {}) };
  switch (kind) {
    case 'document-conflict':
      return conflictFromDetail((err as { detail?: unknown }).detail);
    case 'version-exists':
      // Our inserts resolve this race with ON CONFLICT (the 'conflict' outcome); this is the same
      // rule reached by any other statement.
      return new RegistryError('E_VERSION_EXISTS', `metadata database ${ctx.target}: cannot ${ctx.what}: that name@version is already published (${reason})`, base, { cause });
    case 'unavailable': {
      const doubt = ctx.writeInDoubt ? '; it may or may not have been applied (a retry is safe: publishing the same archive again reports it as unchanged)' : '';
      return new RegistryError('E_META_UNAVAILABLE', `metadata database ${ctx.target} is unavailable: cannot ${ctx.what}: ${reason}${doubt}; retry in a moment`, { ...base, retryable: true }, { cause });
    }
    case 'retry':
      return new RegistryError('E_META_BUSY', `metadata database ${ctx.target}: ${ctx.what} kept failing on concurrent transactions (${reason}) after retries; retry`, { ...base, retryable: true }, { cause });
    case 'timeout':
      return new RegistryError('E_META_TIMEOUT', `metadata database ${ctx.target}: ${ctx.what} was cancelled by the statement timeout (${reason}); nothing of it was applied; retry`, { ...base, retryable: true }, { cause });
    case 'auth':
      return new RegistryError('E_META_AUTH_FAILED', `metadata database ${ctx.target} refused the login: ${reason}`, base, { cause });
    case 'database':
      return new RegistryError('E_META_DATABASE_NOT_FOUND', `metadata database ${ctx.target}: ${reason}`, base, { cause });
    case 'permission':
      return new RegistryError('E_META_PERMISSION_DENIED', `metadata database ${ctx.target}: cannot ${ctx.what}: ${reason}`, base, { cause });
    case 'tls':
      return new RegistryError('E_META_TLS', `metadata database ${ctx.target}: the TLS connection failed: ${reason}`, base, { cause });
    default:
      return new RegistryError('E_INTERNAL', `metadata database ${ctx.target}: cannot ${ctx.what}: ${reason}`, base, { cause });
  }
}

/** The E_META_CONFLICT for the JSON detail apply_documents raised with PK409 (schema-sql.ts). */
export function conflictFromDetail(detail: unknown): RegistryError {
  const parsed = JSON.parse(String(detail)) as { kind: string; key: string; expected: number; found: number };
  return revisionConflict(parsed.kind, parsed.key, Number(parsed.expected), Number(parsed.found));
}

/**
 * The cause to attach: pg's error as it is when no secret shows anywhere in it, else a plain Error
 * with the redacted message (an error of Node's URL parser, for one, carries the whole input).
 */
function sanitisedCause(err: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return err;
  let text: string;
  try {
    text = `${err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : ''}${JSON.stringify(err, Object.getOwnPropertyNames(err ?? {}))}`;
  } catch {
    text = String(err);
  }
  if (!secrets.some((s) => text.includes(s))) return err;
  const copy = new Error(redact(err instanceof Error ? err.message : String(err), secrets));
  copy.name = err instanceof Error ? err.name : 'Error';
  return copy;
}
