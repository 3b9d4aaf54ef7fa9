/**
 * The OCI registry storage provider: `createOciStorage({ url: 'oci://127.0.0.1:5000/pakt' })`.
 * See docs/scale-out.md for how to run Pakt's storage on an OCI registry.
 */
export { createOciStorage, quarantineTag, type OciStorage } from './storage.js';
export type { OciStorageOptions } from './options.js';
export type { OciCredentials } from './credentials.js';
export type { RetryPolicy } from './retry.js';
export { parseImageReference, parseRegistryUrl, formatImageReference, type ImageReference, type RegistryLocation } from './reference.js';
export { artifactPlace } from './artifact-names.js';
export { PACKAGE_ARTIFACT_TYPE, PACKAGE_LAYER_MEDIA_TYPE, QUARANTINE_ARTIFACT_TYPE } from './artifact-manifest.js';
