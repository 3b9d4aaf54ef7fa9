/** The data shapes of SPEC §1 that cross provider boundaries. */

export interface PackagePlatform {
  os?: string;
  arch?: string;
}

/** metadata.json, after validation. Unknown top-level fields are kept unchanged. */
export interface PackageMetadata {
  name: string;
  version: string;
  description?: string;
  author?: string;
  license?: string;
  homepage?: string;
  dependencies?: Record<string, string>;
  tags?: string[];
  capabilities?: string[];
  platform?: PackagePlatform;
  [extra: string]: unknown;
}

export interface ManifestEntry {
  /** sha256 of the uncompressed bytes, 64 lowercase hex. */
  hash: string;
  size?: number;
}

/** manifest.json. */
export interface PackageManifest {
  name: string;
  version: string;
  files: Record<string, ManifestEntry>;
}

/** `sha256:<64 lowercase hex>` of the archive bytes as published. */
export type Digest = `sha256:${string}`;
