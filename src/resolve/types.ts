/**
 * The resolver's public shapes, fixed early so the manager (src/core) and the resolver
 * (src/resolve) can be built side by side.
 */

/** Where the resolver learns which versions exist and what each depends on. */
export interface ResolveSource {
  /** Every version of `name` with its dependency map; empty when the package is unknown. */
  versions(name: string): Promise<ReadonlyArray<{ version: string; dependencies: Readonly<Record<string, string>> }>>;
}

/** name → range, the root requirements (the root itself is not a package). */
export type RootRequirements = Readonly<Record<string, string>>;

export interface Resolution {
  /** Exactly one version per selected package name. */
  solution: Record<string, string>;
}

export interface DependencyTreeNode {
  name: string;
  version: string;
  dependencies: DependencyTreeNode[];
  /** Set on a node whose subtree was already shown higher up (cycles and repeats). */
  repeated?: boolean;
}
