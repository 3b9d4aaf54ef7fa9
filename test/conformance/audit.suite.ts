/**
 * The audit sink conformance suite: what every AuditSink must do. Run it against your own sink:
 *
 *   describeAuditConformance({ name: 'syslog', create: () => createSyslogAudit(opts), read: readBack });
 *
 * `read` returns the events the sink has kept, oldest first; without it the cases that read
 * records back are reported as skipped with "unsupported: ..." in their title, never as passed.
 */
import semver from 'semver';
import { afterEach, describe, expect, it } from 'vitest';
import { CORE_VERSION, type AuditEvent, type AuditSink } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';
import { CASE_TIMEOUT_MS, conformanceCases } from './harness.js';

export interface AuditConformanceOptions<S extends AuditSink = AuditSink> {
  /** Shown in the suite title. */
  name: string;
  /** A fresh sink with nothing recorded; called once per case. */
  create: () => Promise<S> | S;
  /** The records the sink kept, oldest first (read from wherever it writes them). */
  read?: (sink: S) => Promise<Array<Partial<AuditEvent>>> | Array<Partial<AuditEvent>>;
  /** Removes what create() made; called after close(). */
  cleanup?: (sink: S) => Promise<void> | void;
  /** Titles of cases to skip (known gaps of an implementation, listed openly). */
  skip?: readonly string[];
}

function sampleEvents(): AuditEvent[] {
  return [
    { time: '2026-01-01T00:00:00.000Z', action: 'publish', actor: 'ana', outcome: 'success', name: 'left-pad', version: '1.0.0', digest: `sha256:${'1'.repeat(64)}`, detail: { size: 812 } },
    { time: '2026-01-01T00:00:01.000Z', action: 'publish', actor: 'ben', outcome: 'failure', name: 'left-pad', version: '1.0.0', digest: `sha256:${'2'.repeat(64)}`, code: 'E_VERSION_EXISTS', message: 'left-pad@1.0.0 is already published with other bytes' },
    { time: '2026-01-01T00:00:02.000Z', action: 'delete', actor: 'ana', outcome: 'success', name: '@scope/ünïcode-ok', version: '1.0.0-beta.1+build.5' },
    { time: '2026-01-01T00:00:03.000Z', action: 'gc', actor: 'cron', outcome: 'success', detail: { removed: 2, bytesFreed: 2048, note: 'quotes " and \\ and\nnewlines survive' } },
  ];
}

export async function describeAuditConformance<S extends AuditSink>(options: AuditConformanceOptions<S>): Promise<void> {
  const probe = await options.create();
  const probeHasClose = typeof probe.close === 'function';
  await probe.close?.();
  await options.cleanup?.(probe);
  const { test, needs, isSkipped } = conformanceCases(options.skip);
  const open: S[] = [];
  const made: S[] = [];

  async function fresh(): Promise<S> {
    const s = await options.create();
    open.push(s);
    made.push(s);
    return s;
  }
  const readable = (title: string, fn: (read: NonNullable<AuditConformanceOptions<S>['read']>) => Promise<void>): void => {
    const read = options.read;
    const shown = read ? title : `${title} [unsupported: no read() given]`;
    it.skipIf(!read || isSkipped(title))(shown, () => fn(read!), CASE_TIMEOUT_MS);
  };

  describe(`audit conformance: ${options.name}`, () => {
    afterEach(async () => {
      for (const s of open.splice(0).reverse()) await s.close?.();
      for (const s of made.splice(0)) await options.cleanup?.(s);
    });

    test('declares its family and a core range that includes this core', async () => {
      const s = await fresh();
      expect(s.info.family).toBe('audit');
      expect(s.info.name).toMatch(/\S/);
      expect(semver.satisfies(CORE_VERSION, s.info.coreRange)).toBe(true);
    });

    test('accepts success and failure records of every shape the core sends', async () => {
      const s = await fresh();
      for (const e of sampleEvents()) await s.record(e);
    });

    readable('keeps every record, in order, with its fields unchanged', async (read) => {
      const s = await fresh();
      const events = sampleEvents();
      for (const e of events) await s.record(e);
      const back = await read(s);
      expect(back).toHaveLength(events.length);
      events.forEach((e, i) => expect(back[i]).toMatchObject(e as unknown as Record<string, unknown>));
    });

    readable('keeps records written before close() (nothing is lost in a buffer)', async (read) => {
      const s = await fresh();
      await s.record(sampleEvents()[0]!);
      await s.close?.();
      expect(await read(s)).toHaveLength(1);
    });

    needs('close()', probeHasClose, 'close() may be called twice; a record after close() fails with E_CLOSED', async () => {
      const s = await fresh();
      await s.close!();
      await s.close!();
      let caught: unknown;
      try {
        await s.record(sampleEvents()[0]!);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RegistryError);
      expect((caught as RegistryError).code).toBe('E_CLOSED');
    });
  });
}
