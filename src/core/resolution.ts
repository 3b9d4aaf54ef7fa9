/**
 * The registry side of dependency resolution: a ResolveSource backed by the metadata provider,
 * and the three operations the manager exposes (resolveDependency, resolveDependencies,
 * getDependencyTree). The resolver itself (src/resolve) knows nothing of the registry.
 */
import type { MetadataProvider, VersioningProvider } from '../contracts/index.js';
import { dependencyTree, resolve } from '../resolve/index.js';
import type { DependencyTreeNode, Resolution, ResolveSource, RootRequirements } from '../resolve/types.js';

export interface ResolutionDeps {
  metadata: MetadataProvider;
  versioning: VersioningProvider;
}

/** Every version of a package with its metadata.json dependencies, read once per package per call. */
export function metadataSource(metadata: MetadataProvider): ResolveSource {
  return {
    async versions(name) {
      const records = await metadata.listVersions(name);
      return records.map((r) => ({ version: r.version, dependencies: r.metadata.dependencies ?? {} }));
    },
  };
}

export async function resolveDependencies(deps: ResolutionDeps, root: RootRequirements): Promise<Resolution> {
  // A root requirement of `latest` (the CLI's default for a name without a range) pins the version
  // `info` and `download` pick; the resolver reads it itself.
  return resolve(root, metadataSource(deps.metadata), deps.versioning);
}

export async function resolveDependency(deps: ResolutionDeps, name: string, range: string = 'latest'): Promise<Resolution> {
  return resolveDependencies(deps, { [name]: range });
}

export async function getDependencyTree(deps: ResolutionDeps, name: string, range: string = 'latest'): Promise<DependencyTreeNode> {
  return dependencyTree(name, range, metadataSource(deps.metadata), deps.versioning);
}
