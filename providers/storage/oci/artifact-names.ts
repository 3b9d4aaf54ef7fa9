/**
 * Where a package lives in the registry (SPEC §12): repository `<namespace>/<name>`, a scoped
 * `@scope/name` as `<namespace>/scope/name`; tag = the version with `+` written as `_` (as Helm
 * does: `+` is not allowed in a tag, `_` is not allowed in a SemVer version, so the mapping is
 * reversible). Names the OCI grammar cannot hold are refused, never rewritten, so two packages can
 * never share a repository.
 */
import type { BlobOwner } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { isRepositoryPath, isTag, MAX_REPOSITORY_CHARS, PATH_COMPONENT } from './reference.js';

/** Tags Pakt gives quarantine records start with this; no version tag can (a version starts with a digit). */
export const QUARANTINE_TAG_PREFIX = 'quarantined-';

export interface ArtifactPlace {
  readonly repository: string;
  readonly tag: string;
}

function unsupported(owner: BlobOwner, why: string): RegistryError {
  return new RegistryError('E_OCI_NAME_UNSUPPORTED', `${owner.name}@${owner.version} cannot be stored in an OCI registry: ${why}; nothing was stored`, { name: owner.name, version: owner.version });
}

/** The repository and tag of a package version under `namespace`. */
export function artifactPlace(namespace: string, owner: BlobOwner): ArtifactPlace {
  if (typeof owner?.name !== 'string' || typeof owner.version !== 'string' || owner.name === '' || owner.version === '') {
    throw new RegistryError('E_INVALID_ARGUMENT', 'the OCI storage places each archive by its owner: pass { name, version } as the last argument', { found: owner === undefined ? 'no owner' : typeof owner });
  }
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(owner.name);
  const parts = scoped ? [scoped[1]!, scoped[2]!] : [owner.name];
  for (const part of parts) {
    if (!PATH_COMPONENT.test(part)) {
      throw unsupported(owner, `'${part.slice(0, 80)}' is not an OCI repository component (lowercase letters and digits joined by single . or _, by __, or by dashes; no separator at the end)`);
    }
  }
  const repository = `${namespace}/${parts.join('/')}`;
  if (repository.length > MAX_REPOSITORY_CHARS || !isRepositoryPath(repository)) {
    throw unsupported(owner, `repository '${repository.slice(0, 80)}…' would be ${repository.length} characters, and the limit is ${MAX_REPOSITORY_CHARS}`);
  }
  const tag = owner.version.replaceAll('+', '_');
  if (!isTag(tag) || tag.startsWith(QUARANTINE_TAG_PREFIX)) {
    throw unsupported(owner, tag.length > 128 ? `its version is ${tag.length} characters and a tag holds at most 128` : `version '${owner.version.slice(0, 80)}' is not writable as a tag (letters, digits, _ . - only)`);
  }
  return { repository, tag };
}

/** The package name a repository under `namespace` holds, or undefined for one Pakt would not use. */
export function packageNameOf(namespace: string, repository: string): string | undefined {
  if (!repository.startsWith(`${namespace}/`)) return undefined;
  const parts = repository.slice(namespace.length + 1).split('/');
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return `@${parts[0]}/${parts[1]}`;
  return undefined;
}

/** The version a tag stands for. */
export function versionOfTag(tag: string): string {
  return tag.replaceAll('_', '+');
}
