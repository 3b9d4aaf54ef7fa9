/** The package format (SPEC §1-2): one module to import it from. */
export * from './name-version.js';
export { packDirectory, buildPackage, defaultArchiveName, type PackResult, type PackOptions, type BuildPackageInput, type BuildPackageOptions } from './pack.js';
export { validateArchive, validateArchiveFile, MAX_REPORTED_ISSUES, type ValidateArchiveOptions } from './validate-archive.js';
export { FileReader } from './file-reader.js';
export { parseStrictJson, FORBIDDEN_KEYS, type JsonValue, type StrictJsonOptions } from './strict-json.js';
export { checkArchivePath, collisionKey } from './archive-path.js';
export { buildManifest, serializeJson, comparePaths } from './manifest.js';
export { digestFile, isDigest, toDigest } from './digest.js';
export { METADATA_FILE, MANIFEST_FILE } from './documents.js';
