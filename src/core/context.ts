/**
 * What every pipeline step needs: the providers, the limits, the clock, the actor, the audit
 * sinks and the working folder. The manager builds one at construction and hands it to each
 * pipeline, so the pipelines hold no state of their own.
 */
import type {
  AuditEvent,
  AuditSink,
  MetadataProvider,
  SearchProvider,
  StorageProvider,
  ValidationProvider,
  VersioningProvider,
} from '../contracts/index.js';
import type { Limits } from '../limits.js';
import type { TempArea } from './temp-area.js';

export interface CoreContext {
  readonly metadata: MetadataProvider;
  readonly storage: StorageProvider;
  readonly versioning: VersioningProvider;
  readonly validation: ValidationProvider;
  readonly search: SearchProvider;
  readonly auditSinks: readonly AuditSink[];
  readonly limits: Limits;
  readonly clock: () => Date;
  readonly actor: string;
  readonly temp: TempArea;
  /** The search rebuild in flight, if any: search writes wait for it so they are not lost. */
  readonly searchBarrier: () => Promise<void> | undefined;
}

/** The fields of an audit record the pipeline knows; time and actor are filled in here. */
export type AuditEntry = Omit<AuditEvent, 'time' | 'actor'>;

/** Sends one record to every sink, in order. A sink that fails makes the whole call fail. */
export async function recordAudit(ctx: CoreContext, entry: AuditEntry): Promise<void> {
  if (ctx.auditSinks.length === 0) return;
  const event: AuditEvent = { time: ctx.clock().toISOString(), actor: ctx.actor, ...entry };
  for (const sink of ctx.auditSinks) await sink.record(event);
}
