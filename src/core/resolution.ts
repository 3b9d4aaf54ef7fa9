/**
 * The registry side of dependency resolution: a ResolveSource backed by the metadata provider,
 * and the three operations the manager exposes (resolveDependency, resolveDependencies,
 * getDependencyTree). The resolver itself (src/resolve) knows nothing of the registry.
 */
import type { MetadataProvider, VersioningProvider } from '../contracts/index.js';
import { isLatestTag } from '../package/name-version.js';
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

/** `latest` (the CLI's default for `name` without a range) asks for any release version, highest preferred. */
function asRange(range: string): string {
  return isLatestTag(range) ? '*' : range;
}

export async function resolveDependencies(deps: ResolutionDeps, root: RootRequirements): Promise<Resolution> {
  const requirements: Record<string, string> = {};
  for (const [name, range] of Object.entries(root)) requirements[name] = asRange(range);
  return resolve(requirements, metadataSource(deps.metadata), deps.versioning);
}

export async function resolveDependency(deps: ResolutionDeps, name: string, range: string = 'latest'): Promise<Resolution> {
  return resolveDependencies(deps, { [name]: range });
}

export async function getDependencyTree(deps: ResolutionDeps, name: string, range: string = 'latest'): Promise<DependencyTreeNode> {
  return dependencyTree(name, asRange(range), metadataSource(deps.metadata), deps.versioning);
}
