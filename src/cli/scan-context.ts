/**
 * What the `advisories`, `scan` and `policy` commands work with: the store's metadata (versions,
 * and the documents holding the policy and exemptions), its versioning, its scanner
 * (`<store>/advisories.db`) and its audit log, opened through src/cli/open.ts without the rest of
 * the registry. Phase 2 of the advisory work moves these commands onto withRegistry once the
 * manager carries the scanner.
 */
import os from 'node:os';
import type { AuditSink, MetadataProvider, Provider, ScannerProvider, VersioningProvider } from '../contracts/index.js';
import type { CommandContext } from './command.js';
import { openStoreProviders } from './open.js';

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
  const { providers, scanner } = openStoreProviders(ctx);
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

/** Opens the scan context, runs `work` with it and closes it, whatever happens (as withRegistry does). */
export async function withScanContext<T>(ctx: CommandContext, work: (context: ScanContext) => Promise<T>): Promise<T> {
  const context = await openScanContext(ctx);
  let result: T;
  try {
    result = await work(context);
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
  await context.close();
  return result;
}
