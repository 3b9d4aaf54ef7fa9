/**
 * The OCI manifest of a Pakt package (SPEC §12), following the image-spec 1.1 guidance for
 * artifacts: `artifactType` application/vnd.pakt.package.v1+zip, the empty config, and the ZIP
 * as the one layer. The bytes are a function of (owner, digest, size) alone (no timestamp), so
 * every writer of the same package writes the same manifest, under the same manifest digest:
 * concurrent puts agree, and a version whose tag was lost can still be found by that digest.
 *
 * A quarantine record (quarantine.ts) has its own artifact type, so that no client mistakes it
 * for a package.
 */
import type { BlobOwner, Digest } from '../../../src/contracts/index.js';
import { RegistryError } from '../../../src/errors.js';
import { digestOfBytes, isDigest } from '../../../src/util/digest.js';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const PACKAGE_ARTIFACT_TYPE = 'application/vnd.pakt.package.v1+zip';
export const QUARANTINE_ARTIFACT_TYPE = 'application/vnd.pakt.quarantined.v1+zip';
/** The layer is the archive as published; the same media type names it. */
export const PACKAGE_LAYER_MEDIA_TYPE = 'application/vnd.pakt.package.v1+zip';
export const EMPTY_CONFIG_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
export const EMPTY_CONFIG_BYTES = Buffer.from('{}');
export const EMPTY_CONFIG_DIGEST: Digest = digestOfBytes(EMPTY_CONFIG_BYTES);

export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_NAME = 'org.pakt.package.name';
export const ANNOTATION_VERSION = 'org.pakt.package.version';
export const ANNOTATION_EXPECTED = 'org.pakt.quarantine.expected-digest';
export const ANNOTATION_REASON = 'org.pakt.quarantine.reason';
export const ANNOTATION_AT = 'org.pakt.quarantine.at';

/** Manifests Pakt reads are small; a registry must accept 4 MiB, Pakt's are under 2 KiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Manifest {
  readonly bytes: Buffer;
  readonly digest: Digest;
}

export interface Layer {
  readonly digest: Digest;
  readonly size: number;
}

/** The file name oras and other clients give the layer when they pull it. */
export function archiveFileName(owner: BlobOwner): string {
  return `${owner.name.replace(/^@/, '').replace('/', '-')}-${owner.version}.zip`;
}

function serialize(value: unknown): Manifest {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, digest: digestOfBytes(bytes) };
}

const emptyConfig = { mediaType: EMPTY_CONFIG_MEDIA_TYPE, digest: EMPTY_CONFIG_DIGEST, size: EMPTY_CONFIG_BYTES.length, data: EMPTY_CONFIG_BYTES.toString('base64') };

export function packageManifest(owner: BlobOwner, layer: Layer): Manifest {
  return serialize({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    artifactType: PACKAGE_ARTIFACT_TYPE,
    config: emptyConfig,
    layers: [{ mediaType: PACKAGE_LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size, annotations: { [ANNOTATION_TITLE]: archiveFileName(owner) } }],
    annotations: { [ANNOTATION_NAME]: owner.name, [ANNOTATION_VERSION]: owner.version },
  });
}

export interface QuarantineNote {
  readonly expected: Digest;
  readonly reason: string;
  readonly at: string;
}

export function quarantineManifest(owner: BlobOwner, kept: Layer, note: QuarantineNote): Manifest {
  return serialize({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    artifactType: QUARANTINE_ARTIFACT_TYPE,
    config: emptyConfig,
    layers: [{ mediaType: PACKAGE_LAYER_MEDIA_TYPE, digest: kept.digest, size: kept.size, annotations: { [ANNOTATION_TITLE]: `${archiveFileName(owner)}.quarantined` } }],
    annotations: {
      [ANNOTATION_NAME]: owner.name,
      [ANNOTATION_VERSION]: owner.version,
      [ANNOTATION_EXPECTED]: note.expected,
      [ANNOTATION_REASON]: note.reason.slice(0, 1000),
      [ANNOTATION_AT]: note.at,
    },
  });
}

export type ReadManifest =
  | { readonly kind: 'package'; readonly layer: Layer; readonly owner: BlobOwner }
  | { readonly kind: 'quarantine'; readonly layer: Layer; readonly owner: BlobOwner; readonly expected: Digest | undefined }
  /** Anything that is not one of Pakt's artifacts (an image, a Helm chart): left alone. */
  | { readonly kind: 'foreign'; readonly artifactType: string | undefined };

function corrupt(where: string, why: string): RegistryError {
  return new RegistryError('E_OCI_MANIFEST_INVALID', `the manifest of ${where} is not a Pakt artifact manifest: ${why}`, { path: where });
}

/** Reads a manifest's bytes: a Pakt artifact is checked whole; anything else is `foreign`. */
export function readManifest(bytes: Buffer, where: string): ReadManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(where, 'it is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(where, 'it is not a JSON object');
  const m = json as Record<string, unknown>;
  const artifactType = typeof m['artifactType'] === 'string' ? m['artifactType'] : undefined;
  if (artifactType !== PACKAGE_ARTIFACT_TYPE && artifactType !== QUARANTINE_ARTIFACT_TYPE) return { kind: 'foreign', artifactType };
  if (m['schemaVersion'] !== 2) throw corrupt(where, `schemaVersion is ${String(m['schemaVersion'])}, not 2`);
  if (m['mediaType'] !== undefined && m['mediaType'] !== MANIFEST_MEDIA_TYPE) throw corrupt(where, `mediaType is ${String(m['mediaType']).slice(0, 80)}`);
  const layers = m['layers'];
  if (!Array.isArray(layers) || layers.length !== 1) throw corrupt(where, `it has ${Array.isArray(layers) ? layers.length : 'no'} layers, not one`);
  const l = (layers[0] ?? {}) as Record<string, unknown>;
  if (!isDigest(l['digest'])) throw corrupt(where, 'its layer digest is not sha256:<64 hex>');
  if (!Number.isSafeInteger(l['size']) || (l['size'] as number) < 0) throw corrupt(where, 'its layer size is not a non-negative integer');
  const annotations = (typeof m['annotations'] === 'object' && m['annotations'] !== null ? m['annotations'] : {}) as Record<string, unknown>;
  const name = annotations[ANNOTATION_NAME];
  const version = annotations[ANNOTATION_VERSION];
  if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') throw corrupt(where, `annotations ${ANNOTATION_NAME} and ${ANNOTATION_VERSION} are missing`);
  const layer = { digest: l['digest'] as Digest, size: l['size'] as number };
  if (artifactType === PACKAGE_ARTIFACT_TYPE) return { kind: 'package', layer, owner: { name, version } };
  const expected = annotations[ANNOTATION_EXPECTED];
  return { kind: 'quarantine', layer, owner: { name, version }, expected: isDigest(expected) ? expected : undefined };
}
