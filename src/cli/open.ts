/**
 * The one way a command opens the registry it works on, from its CommandContext: today the store
 * folder of --store / $PAKT_STORE / ./.pakt. Global options that change how the store is reached
 * (a server URL, a key file, offline mode, other metadata or storage) are read here and nowhere
 * else, so adding one changes no command.
 */
import { defaultProviders, defaultScanner, isStore, openRegistry, openRemoteRegistry, type DefaultProviders } from '../../providers/index.js';
import type { ScannerProvider } from '../contracts/index.js';
import type { CoreRegistryManager } from '../core/registry-manager.js';
import { RegistryError } from '../errors.js';
import type { CommandContext } from './command.js';

export interface OpenStoreOptions {
  /** Create the store when it does not exist (only `init`); otherwise a missing store is E_REGISTRY_NOT_FOUND. */
  create?: boolean;
}

/** Opens the registry the command's global options name; the caller closes it (or use withRegistry). */
export async function openStore(ctx: CommandContext, options: OpenStoreOptions = {}): Promise<CoreRegistryManager> {
  const url = registryUrl(ctx);
  if (url !== undefined) return remoteAsRegistry(await openRemoteRegistry({ url }, ctx.env));
  return openRegistry({ path: ctx.store, create: options.create ?? false, offline: isOffline(ctx) });
}

/** --registry, else $PAKT_REGISTRY (not empty). */
export function registryUrl(ctx: CommandContext): string | undefined {
  const given = ctx.globals.registry;
  if (typeof given === 'string' && given !== '') return given;
  const env = ctx.env['PAKT_REGISTRY'];
  return env === undefined || env === '' ? undefined : env;
}

/** --offline, or PAKT_OFFLINE=1. */
export function isOffline(ctx: CommandContext): boolean {
  return ctx.globals.offline === true || ctx.env['PAKT_OFFLINE'] === '1';
}

/**
 * The remote client where a command expects the registry: the operations it has go over HTTP;
 * any other (verify, gc, install, findDependents, ...) is refused with E_REMOTE_UNSUPPORTED
 * rather than failing as a missing method.
 */
function remoteAsRegistry(remote: object): CoreRegistryManager {
  return new Proxy(remote, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (value !== undefined || typeof prop === 'symbol' || prop === 'then') return typeof value === 'function' ? value.bind(target) : value;
      return () => {
        throw new RegistryError('E_REMOTE_UNSUPPORTED', `${String(prop)} is not available through a remote registry (--registry / PAKT_REGISTRY)`);
      };
    },
  }) as unknown as CoreRegistryManager;
}

/** A store command that works on the folder only (upstream, gc --cached): refused with --registry. */
export function refuseRemote(ctx: CommandContext, what: string): void {
  if (registryUrl(ctx) !== undefined) throw new RegistryError('E_REMOTE_UNSUPPORTED', `${what} works on a store folder, not through --registry / PAKT_REGISTRY`);
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

/**
 * The same store's providers one by one, with its advisory scanner, for the commands that work on
 * what the manager does not carry yet (advisories, scan, policy): src/cli/scan-context.ts. A
 * folder without a store is E_REGISTRY_NOT_FOUND, as for openStore; the caller closes them all.
 */
export function openStoreProviders(ctx: CommandContext): { providers: DefaultProviders; scanner: ScannerProvider } {
  refuseRemote(ctx, 'this command');
  if (!isStore(ctx.store)) {
    throw new RegistryError('E_REGISTRY_NOT_FOUND', `there is no pakt store at ${ctx.store}`, { path: ctx.store });
  }
  const providers = defaultProviders({ path: ctx.store });
  return { providers, scanner: defaultScanner({ path: ctx.store }) };
}
