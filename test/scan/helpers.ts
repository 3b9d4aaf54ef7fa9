/**
 * A small world for the scan tests: an in-memory metadata store holding the versions of a
 * universe (name → version → dependencies), a real OSV scanner on a temp SQLite file, an audit
 * sink that keeps what it is sent, and a clock the test moves.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent, AuditSink, MetadataProvider, OsvRecord, VersioningProvider } from '../../src/contracts/index.js';
import { CORE_VERSION } from '../../src/contracts/index.js';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { createOsvScanner, type OsvScanner } from '../../providers/scanner/osv/index.js';
import { createSemverVersioning } from '../../providers/versioning/semver.js';

export type Universe = Record<string, Record<string, Record<string, string>>>;

export interface World {
  dir: string;
  metadata: MetadataProvider;
  versioning: VersioningProvider;
  scanner: OsvScanner;
  audit: AuditSink[];
  events: AuditEvent[];
  actor: string;
  now: { value: Date };
  clock: () => Date;
  publish(name: string, version: string, dependencies?: Record<string, string>): Promise<void>;
  importRecords(records: readonly OsvRecord[], at?: Date): Promise<void>;
  cleanup(): void;
}

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/advisories/ghsa');

export function realRecords(ids?: readonly string[]): OsvRecord[] {
  const all = readdirSync(FIXTURES).sort().map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as OsvRecord);
  return ids ? all.filter((r) => ids.includes(r.id)) : all;
}

export function capturingAudit(events: AuditEvent[]): AuditSink {
  return { info: { name: 'capture', family: 'audit', coreRange: `^${CORE_VERSION}` }, record: (e) => void events.push(e) };
}

export async function world(universe: Universe = {}, options: { start?: string } = {}): Promise<World> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pakt-scan-'));
  const metadata = createMemoryMetadata();
  const events: AuditEvent[] = [];
  const now = { value: new Date(options.start ?? '2025-01-10T12:00:00.000Z') };
  const w: World = {
    dir,
    metadata,
    versioning: createSemverVersioning(),
    scanner: createOsvScanner({ path: path.join(dir, 'advisories.db'), synchronous: 'normal' }),
    audit: [capturingAudit(events)],
    events,
    actor: 'tester',
    now,
    clock: () => now.value,
    async publish(name, version, dependencies = {}) {
      const digest = `sha256:${createHash('sha256').update(`${name}@${version}`).digest('hex')}` as const;
      await metadata.insertVersion({ name, version, digest, size: 1, publishedAt: now.value.toISOString(), metadata: { name, version, dependencies } });
    },
    async importRecords(records, at) {
      await w.scanner.importRecords(records, { importedAt: (at ?? now.value).toISOString() });
    },
    cleanup() {
      w.scanner.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [name, versions] of Object.entries(universe)) for (const [version, deps] of Object.entries(versions)) await w.publish(name, version, deps);
  return w;
}
