/**
 * The registry side of dependency resolution: a ResolveSource backed by the metadata provider,
 * and the three operations the manager exposes (resolveDependency, resolveDependencies,
 * getDependencyTree). The resolver itself (src/resolve) knows nothing of the registry.
 *
 * With `withhold` (ResolutionOptions), versions it names are left out of the choice and reported
 * as withheld: resolution then picks the highest version not withheld, and an explanation says
 * when a range was left with nothing because of it. The advisory policy provides one
 * (src/scan/policy-filter.ts), so resolve and install skip blocked versions.
 */
import type { MetadataProvider, VersioningProvider } from '../contracts/index.js';
import { dependencyTree, resolve } from '../resolve/index.js';
import type { DependencyTreeNode, Resolution, ResolveSource, RootRequirements, WithheldVersion } from '../resolve/types.js';

export interface ResolutionDeps {
  metadata: MetadataProvider;
  versioning: VersioningProvider;
}

/**
 * Which of `versions` (all published versions of `name`) may not be chosen, each with the reason
 * a person reads; versions absent from the map may be. Called once per package per resolution.
 */
export type VersionFilter = (name: string, versions: readonly string[]) => Promise<ReadonlyMap<string, string>>;

export interface ResolutionOptions {
  /** Versions to leave out of the choice (the advisory policy's blocked versions). */
  withhold?: VersionFilter;
}

type SourceRow = { version: string; dependencies: Readonly<Record<string, string>> };

/** Every version of a package with its metadata.json dependencies, read once per package per call. */
export function metadataSource(metadata: MetadataProvider, options: ResolutionOptions = {}): ResolveSource {
  const rowsOf = async (name: string): Promise<SourceRow[]> => {
    const records = await metadata.listVersions(name);
    return records.map((r) => ({ version: r.version, dependencies: r.metadata.dependencies ?? {} }));
  };
  const withhold = options.withhold;
  if (!withhold) return { versions: rowsOf };
  const split = new Map<string, Promise<{ allowed: SourceRow[]; withheld: WithheldVersion[] }>>();
  const splitOf = (name: string) => {
    let pending = split.get(name);
    if (!pending) {
      pending = rowsOf(name).then(async (rows) => {
        const blocked = rows.length === 0 ? new Map<string, string>() : await withhold(name, rows.map((r) => r.version));
        return {
          allowed: rows.filter((r) => !blocked.has(r.version)),
          withheld: rows.filter((r) => blocked.has(r.version)).map((r) => ({ version: r.version, reason: blocked.get(r.version)! })),
        };
      });
      split.set(name, pending);
    }
    return pending;
  };
  return {
    versions: async (name) => (await splitOf(name)).allowed,
    withheld: async (name) => (await splitOf(name)).withheld,
  };
}

export async function resolveDependencies(deps: ResolutionDeps, root: RootRequirements, options: ResolutionOptions = {}): Promise<Resolution> {
  // A root requirement of `latest` (the CLI's default for a name without a range) pins the version
  // `info` and `download` pick; the resolver reads it itself.
  return resolve(root, metadataSource(deps.metadata, options), deps.versioning);
}

export async function resolveDependency(deps: ResolutionDeps, name: string, range: string = 'latest', options: ResolutionOptions = {}): Promise<Resolution> {
  return resolveDependencies(deps, { [name]: range }, options);
}

export async function getDependencyTree(deps: ResolutionDeps, name: string, range: string = 'latest', options: ResolutionOptions = {}): Promise<DependencyTreeNode> {
  return dependencyTree(name, range, metadataSource(deps.metadata, options), deps.versioning);
}
