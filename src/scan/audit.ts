/**
 * Audit records of the advisory work (imports, policy changes, exemptions, the decisions an
 * exemption allowed), sent through the AuditSink contract to every sink, as the core's
 * recordAudit does for its pipelines. A sink that fails makes the operation fail: an exemption
 * that could not be audited must not take effect silently.
 */
import type { AuditEvent, AuditSink } from '../contracts/index.js';

export interface AuditDeps {
  readonly audit?: readonly AuditSink[];
  /** Who acts (default: 'unknown'). */
  readonly actor?: string;
  /** Injected clock (tests); default `() => new Date()`. */
  readonly clock?: () => Date;
}

export function nowOf(deps: { clock?: () => Date }): Date {
  return deps.clock ? deps.clock() : new Date();
}

export async function recordScanAudit(deps: AuditDeps, entry: Omit<AuditEvent, 'time' | 'actor'>): Promise<void> {
  const sinks = deps.audit ?? [];
  if (sinks.length === 0) return;
  const event: AuditEvent = { time: nowOf(deps).toISOString(), actor: deps.actor ?? 'unknown', ...entry };
  for (const sink of sinks) await sink.record(event);
}
