/**
 * The resolver's public shapes, fixed early so the manager (src/core) and the resolver
 * (src/resolve) can be built side by side.
 */

/** Where the resolver learns which versions exist and what each depends on. */
export interface ResolveSource {
  /** Every version of `name` with its dependency map; empty when the package is unknown. */
  versions(name: string): Promise<ReadonlyArray<{ version: string; dependencies: Readonly<Record<string, string>> }>>;
  /**
   * Optional: versions of `name` that exist but may not be chosen (the advisory policy blocks
   * them), each with the reason a person reads. They are left out of versions(); the resolver
   * names them when a range is left with nothing, instead of saying no version exists.
   */
  withheld?(name: string): Promise<readonly WithheldVersion[]>;
}

/** A version left out of resolution, and why (e.g. "GHSA-35jh-r3h4-6jhm (high)"). */
export interface WithheldVersion {
  readonly version: string;
  readonly reason: string;
  /**
   * Set when the version is withheld because its archive is not in this store (offline mode):
   * the upstream that has it. The explanation then says so instead of naming a policy.
   */
  readonly absentFrom?: string;
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

export interface ResolveOptions {
  /** What the root requirements are called in explanations (default "root"). */
  rootName?: string;
}

/**
 * What kind of failure E_UNSATISFIABLE reports (details.kind):
 * - package-not-found: a required package does not exist at all;
 * - no-version-in-range: a package exists but no version matches a range that requires it;
 * - only-prereleases-in-range: as above, but prereleases lie in the range, left out by the prerelease rule;
 * - blocked-by-policy: versions in the range exist, but the source withheld them (the advisory policy);
 * - not-in-store: versions in the range exist upstream, but their archives are not in this store (offline mode);
 * - conflict: requirements that clash with each other.
 */
export type UnsatisfiableKind = 'package-not-found' | 'no-version-in-range' | 'only-prereleases-in-range' | 'blocked-by-policy' | 'not-in-store' | 'conflict';

/** One term of an incompatibility in the derivation JSON. */
export interface DerivationTerm {
  package: string;
  /** True for "package is selected at these versions", false for "package is not selected at these". */
  positive: boolean;
  /** The versions the term is about, as a range ("*" for every known version). */
  range: string;
  /** The known versions the term is about, ascending. */
  versions: string[];
}

/**
 * One incompatibility of the proof: a fact (the root requirement, a dependency, a missing version
 * or package) or a step that combines two earlier incompatibilities, named by id.
 */
export interface DerivationNode {
  id: number;
  /** The incompatibility in words, as the explanation reads it. */
  text: string;
  terms: DerivationTerm[];
  cause:
    | { type: 'root' }
    | { type: 'dependency'; package: string; dependency: string; range: string }
    | { type: 'noVersions'; package: string; range: string; prereleases: string[]; invalidRange: boolean; withheld?: WithheldVersion[] }
    | { type: 'notFound'; package: string }
    | { type: 'conflict'; conflict: number; other: number };
}

/**
 * The proof of failure as JSON (details.derivation), for host applications that draw it: a tree
 * (a DAG where a step is reused) whose root is `failure` and whose leaves are facts. It is given
 * as a flat list, parents before children, so that a chain thousands of steps deep stays
 * serialisable (JSON.stringify recurses, and gives up at a few thousand levels).
 */
export interface Derivation {
  /** Id of the incompatibility that refutes the root ("version solving failed"). */
  failure: number;
  incompatibilities: DerivationNode[];
}

/** details of the E_UNSATISFIABLE error the resolver throws. */
export interface UnsatisfiableDetails {
  kind: UnsatisfiableKind;
  explanation: string;
  derivation: Derivation;
  /**
   * For each package a range matched no version of: its published versions, highest first (at
   * most 20; `count` is the total), so the reader sees what a range could have asked for.
   */
  published?: Record<string, { versions: string[]; count: number }>;
  /** For each package of the proof with withheld versions: those versions and why, highest first. */
  withheld?: Record<string, WithheldVersion[]>;
}
