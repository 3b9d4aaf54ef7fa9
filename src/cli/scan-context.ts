/**
 * What the `advisories`, `scan` and `policy` commands work with: the store's metadata (versions,
 * and the documents holding the policy and exemptions), its versioning, its scanner
 * (`<store>/advisories.db`) and its audit log, opened without the rest of the registry. Phase 2
 * of the advisory work moves these commands onto the shared registry helper once the manager
 * carries the scanner.
 */
import os from 'node:os';
import { defaultProviders, defaultScanner, isStore, RegistryError } from '../index.js';
import type { AuditSink, MetadataProvider, Provider, ScannerProvider, VersioningProvider } from '../contracts/index.js';
import type { CommandContext } from './command.js';

export interface ScanContext {
  readonly metadata: MetadataProvider;
  readonly versioning: VersioningProvider;
  readonly scanner: ScannerProvider;
  readonly audit: readonly AuditSink[];
  readonly actor: string;
  readonly clock: () => Date;
  close(): Promise<void>;
}

function actor(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    return env['USER'] ?? 'unknown';
  }
}

export async function openScanContext(ctx: CommandContext): Promise<ScanContext> {
  if (!isStore(ctx.store)) {
    throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store at ${ctx.store}`, { path: ctx.store });
  }
  const providers = defaultProviders({ path: ctx.store });
  const scanner = defaultScanner({ path: ctx.store });
  const owned: Provider[] = [scanner, providers.search, providers.validation, providers.versioning, providers.storage, providers.metadata, ...providers.audit];
  return {
    metadata: providers.metadata,
    versioning: providers.versioning,
    scanner,
    audit: providers.audit,
    actor: actor(ctx.env),
    clock: () => new Date(),
    async close() {
      for (const p of owned) await p.close?.();
    },
  };
}
