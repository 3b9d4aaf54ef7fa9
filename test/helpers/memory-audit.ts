/** An audit sink that keeps records in memory, with or without close(), for conformance and core tests. */
import { CORE_VERSION, type AuditEvent, type AuditSink } from '../../src/contracts/index.js';
import { RegistryError } from '../../src/errors.js';

export function createMemoryAudit(options: { close?: boolean } = {}): AuditSink & { records: AuditEvent[] } {
  const records: AuditEvent[] = [];
  let closed = false;
  const sink: AuditSink & { records: AuditEvent[] } = {
    info: { name: 'memory-audit', family: 'audit', coreRange: `^${CORE_VERSION}` },
    records,
    record(event) {
      if (closed) throw new RegistryError('E_CLOSED', 'memory audit sink used after close()');
      records.push(structuredClone(event));
    },
  };
  if (options.close !== false) {
    sink.close = () => {
      closed = true;
    };
  }
  return sink;
}
