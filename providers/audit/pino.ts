/**
 * The default audit sink: one JSON line per operation, written through pino to an append-only
 * file, e.g.
 *
 *   {"level":"info","pid":4242,"time":"2026-11-22T03:00:00.000Z","action":"publish","actor":"ana","outcome":"success",
 *    "name":"left-pad","version":"1.0.0","digest":"sha256:…","prev":"9f2c…"}
 *
 * Tamper evidence, cheaply: each line carries `prev`, the sha256 of the line before it in the file
 * (a hash chain; the first line has 64 zeros). Editing, deleting or reordering a line breaks the
 * chain at the next line, and verifyAuditLog() finds it. Several processes may append to one log:
 * each write is one O_APPEND write of a whole line, and a writer that sees the file grew since
 * its own last line reads the new last line first. Two writers racing on the same last line
 * both point at it (a fork); verify accepts that, as every `prev` must still name a line above.
 * Writers starting on an empty log at once both start the chain: a fork at the start, accepted
 * until a line builds on the chain.
 *
 * What a chain cannot do alone: detect that the last lines were cut off, or that the whole file
 * was rewritten with a fresh chain. Keep `head` from verifyAuditLog() somewhere else (a ticket,
 * a backup) to anchor it.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { CORE_VERSION, type AuditEvent, type AuditSink } from '../../src/contracts/index.js';
import { RegistryError, toRegistryError } from '../../src/errors.js';

export interface PinoAuditOptions {
  /** The log file; created (with its folder) on the first record. */
  file: string;
  /**
   * fsync after every line (default false). Off, a line reaches the OS at once and survives a
   * crash of the process, but not necessarily a power cut; on, every operation pays a disk flush.
   */
  fsync?: boolean;
}

export interface PinoAudit extends AuditSink {
  readonly file: string;
}

/** `prev` of the first line of a log. */
export const GENESIS_HASH = '0'.repeat(64);

export function createPinoAudit(options: PinoAuditOptions): PinoAudit {
  if (!options || typeof options.file !== 'string' || options.file === '') {
    throw new RegistryError('E_PROVIDER_OPTION', 'Missing required option `file` of createPinoAudit (the audit log path)');
  }
  const file = path.resolve(options.file);
  let fd: number | undefined;
  /** Hash of the last line this writer wrote, and the file size right after it. */
  let lastHash = GENESIS_HASH;
  let sizeAfterLast = -1;
  let closed = false;

  const destination = {
    write(line: string): void {
      const handle = ensureOpen();
      const bytes = Buffer.from(line, 'utf8');
      writeSync(handle, bytes);
      if (options.fsync) fsyncSync(handle);
      lastHash = lineHash(bytes.subarray(0, bytes.length - 1));
      sizeAfterLast = fstatSync(handle).size;
    },
  };
  const logger = pino(
    {
      base: { pid: process.pid },
      timestamp: false, // the event carries its own `time` from the manager's clock
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );

  function ensureOpen(): number {
    if (fd === undefined) {
      mkdirSync(path.dirname(file), { recursive: true });
      fd = openSync(file, 'a+');
    }
    return fd;
  }

  /** The hash the next line must carry: our own last line's, unless someone appended since. */
  function currentPrev(): string {
    const handle = ensureOpen();
    const size = fstatSync(handle).size;
    if (size === sizeAfterLast) return lastHash;
    return hashOfLastLine(handle, size);
  }

  return {
    info: { name: 'pino', family: 'audit', coreRange: `^${CORE_VERSION}` },
    file,
    record(event: AuditEvent): void {
      if (closed) throw new RegistryError('E_CLOSED', `the audit log ${file} was used after close()`);
      try {
        const { time, action, actor, outcome, ...rest } = event;
        logger.info({ time, action, actor, outcome, ...rest, prev: currentPrev() });
      } catch (err) {
        throw toRegistryError(err, 'E_IO', `cannot append to the audit log ${file}`);
      }
    },
    async verifyIntegrity() {
      const check = await verifyAuditLog(file);
      return { ok: check.ok, records: check.lines, problems: check.problems.map((p) => ({ record: p.line, reason: p.reason })) };
    },
    close(): void {
      if (closed) return;
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function lineHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * sha256 of the last complete line of the file, read backwards in chunks (GENESIS_HASH when there
 * is none). Only complete lines count: a line another process is still writing has no newline yet.
 */
function hashOfLastLine(fd: number, size: number): string {
  const CHUNK = 16 * 1024;
  const chunks: Buffer[] = [];
  let pos = size;
  while (pos > 0) {
    const start = Math.max(0, pos - CHUNK);
    const buf = Buffer.alloc(pos - start);
    readSync(fd, buf, 0, buf.length, start);
    chunks.unshift(buf);
    pos = start;
    const data = chunks.length === 1 ? buf : Buffer.concat(chunks);
    const end = data.lastIndexOf(0x0a);
    if (end === -1) continue;
    const before = end === 0 ? -1 : data.lastIndexOf(0x0a, end - 1);
    if (before !== -1) return lineHash(data.subarray(before + 1, end));
    if (pos === 0) return lineHash(data.subarray(0, end));
  }
  return GENESIS_HASH;
}

export interface AuditLogProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface AuditLogVerification {
  ok: boolean;
  lines: number;
  /** sha256 of the last line: keep it elsewhere to detect a cut-off tail later. */
  head: string;
  /** Lines whose `prev` names a line that another line also names (concurrent writers). */
  forks: number;
  problems: AuditLogProblem[];
}

/**
 * Reads the log and checks the hash chain: every line parses and its `prev` names a line above.
 * A log that does not exist yet (nothing was ever recorded) checks out empty.
 */
export async function verifyAuditLog(file: string): Promise<AuditLogVerification> {
  if (!existsSync(file)) return { ok: true, lines: 0, head: GENESIS_HASH, forks: 0, problems: [] };
  const seen = new Set<string>([GENESIS_HASH]);
  const referenced = new Set<string>();
  const problems: AuditLogProblem[] = [];
  let lines = 0;
  let head = GENESIS_HASH;
  let forks = 0;
  /**
   * Set once a line names another line. Before that, several lines may start the chain: processes
   * that opened an empty log at the same moment each begin it (a fork at the start). After it, a
   * line starting a chain again is a foreign log spliced in.
   */
  let built = false;
  const input = createReadStream(file);
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of reader) {
      lines += 1;
      const hash = lineHash(Buffer.from(text, 'utf8'));
      let prev: unknown;
      try {
        prev = (JSON.parse(text) as { prev?: unknown }).prev;
      } catch {
        problems.push({ line: lines, reason: 'not a JSON line' });
      }
      if (typeof prev !== 'string') {
        if (problems.at(-1)?.line !== lines) problems.push({ line: lines, reason: 'no `prev` hash' });
      } else if (!seen.has(prev)) {
        problems.push({ line: lines, reason: `\`prev\` ${prev.slice(0, 12)}… names no line above: a line before it was edited, removed or moved` });
      } else if (prev === GENESIS_HASH && lines > 1 && built) {
        problems.push({ line: lines, reason: 'a second chain start after the chain was built on: the log was spliced' });
      } else if (referenced.has(prev)) {
        // Racing writers both naming the same last line; at the very start, the empty log.
        forks += 1;
      }
      if (typeof prev === 'string') referenced.add(prev);
      if (typeof prev === 'string' && prev !== GENESIS_HASH) built = true;
      seen.add(hash);
      head = hash;
    }
  } catch (err) {
    throw toRegistryError(err, 'E_IO', `cannot read the audit log ${file}`);
  }
  return { ok: problems.length === 0, lines, head, forks, problems };
}

export default createPinoAudit;
