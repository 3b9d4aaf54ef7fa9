/**
 * The one way a command opens the registry it works on, from its CommandContext: today the store
 * folder of --store / $PAKT_STORE / ./.pakt. Global options that change how the store is reached
 * (a server URL, a key file, offline mode, other metadata or storage) are read here and nowhere
 * else, so adding one changes no command.
 */
import { openRegistry } from '../../providers/index.js';
import type { CoreRegistryManager } from '../core/registry-manager.js';
import type { CommandContext } from './command.js';

export interface OpenStoreOptions {
  /** Create the store when it does not exist (only `init`); otherwise a missing store is E_REGISTRY_NOT_FOUND. */
  create?: boolean;
}

/** Opens the registry the command's global options name; the caller closes it (or use withRegistry). */
export async function openStore(ctx: CommandContext, options: OpenStoreOptions = {}): Promise<CoreRegistryManager> {
  return openRegistry({ path: ctx.store, create: options.create ?? false });
}

/**
 * Opens the registry, runs `work` with it and closes it, whatever happens; a failure of `work` is
 * the one reported (a failing close after it does not hide it).
 */
export async function withRegistry<T>(ctx: CommandContext, work: (registry: CoreRegistryManager) => Promise<T>, options: OpenStoreOptions = {}): Promise<T> {
  const registry = await openStore(ctx, options);
  let result: T;
  try {
    result = await work(registry);
  } catch (err) {
    await registry.close().catch(() => undefined);
    throw err;
  }
  await registry.close();
  return result;
}
