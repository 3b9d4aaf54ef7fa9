import type { Provider } from './provider.js';

export type AuditAction =
  | 'publish' | 'delete' | 'download' | 'verify' | 'gc' | 'rebuild'
  // advisories and policy (src/scan): an import, a policy change, an exemption added or removed,
  // a decision an exemption allowed, a decision allowed although the scanner failed (fail-open)
  | 'advisories-import' | 'policy-set' | 'exemption-add' | 'exemption-remove' | 'exemption-applied' | 'policy-fail-open';

/** One audit record: every operation, success or failure. */
export interface AuditEvent {
  /** ISO-8601 UTC. */
  time: string;
  action: AuditAction;
  /** Who did it: the host's user id, or the OS user for the CLI. */
  actor: string;
  outcome: 'success' | 'failure';
  name?: string;
  version?: string;
  digest?: string;
  /** Error code on failure. */
  code?: string;
  message?: string;
  /** Operation-specific figures (bytes, counts). */
  detail?: Record<string, unknown>;
}

/** What an audit sink that can check its own integrity reports (e.g. a hash chain). */
export interface AuditIntegrity {
  ok: boolean;
  /** Records checked. */
  records: number;
  /** Where and why the log does not check out; empty when ok. */
  problems: Array<{ record: number; reason: string }>;
}

/** A one-method role: where audit records go. The manager takes a list of them. */
export interface AuditSink extends Provider {
  record(event: AuditEvent): Promise<void> | void;
  /** Optional: checks that the records kept were not altered; `verify` runs it when present. */
  verifyIntegrity?(): Promise<AuditIntegrity>;
}
