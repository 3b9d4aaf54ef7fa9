import { defineErrors } from './spec.js';

/**
 * The package format (SPEC §1-2): archive structure, paths, JSON documents, names, versions,
 * ranges, and packing. Owned by the format work; add rows here, then run `npm run docs:errors`.
 */
export const PACKAGE_ERRORS = defineErrors({
  E_PKG_NAME_INVALID: {
    meaning: 'A package name does not follow the name grammar: lowercase letters, digits, `.`, `_`, `-`, optionally `@scope/`, at most 214 characters.',
    hint: 'Rename the package, e.g. `my-plugin` or `@acme/my-plugin`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_VERSION_INVALID: {
    meaning: 'A version is not a version of the registry\'s version scheme (its versioning provider); with the default, strict SemVer 2.0.0 (three numeric parts, optional -prerelease and +build; no `v` prefix).',
    hint: 'Use a version of the scheme the message names; with the default SemVer scheme, one such as `1.2.3` or `1.2.3-beta.1`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_RANGE_INVALID: {
    meaning: 'A version range is not a range of the registry\'s version scheme; with the default SemVer scheme, neither a node-semver range nor the comma form (`>=1.0.0,<2.0.0`).',
    hint: 'Use a range of the scheme the message names; with the default SemVer scheme, one such as `^1.2.0`, `~1.2`, `>=1.0.0 <2.0.0` or `>=1.0.0,<2.0.0`.',
    status: 422, userFault: true, exit: 1,
  },
  // --- the archive as a whole -----------------------------------------------------------------
  E_PKG_ARCHIVE_TOO_LARGE: {
    meaning: 'The archive file is larger than limits.maxArchiveBytes (default 2 GiB).',
    hint: 'Split the package, remove large files, or raise limits.maxArchiveBytes in the host application.',
    status: 413, userFault: true, exit: 1,
  },
  E_PKG_NOT_ZIP: {
    meaning: 'The file is not a ZIP archive: no end-of-central-directory record was found (or the file is truncated).',
    hint: 'Build the package with `pakt pack <dir>`; check that the file was copied completely.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_ZIP_CORRUPT: {
    meaning: 'The ZIP structure is damaged or inconsistent (bad signature, truncated record, central directory that does not add up, multi-disk archive, malformed ZIP64 or extra field).',
    hint: 'Rebuild the archive with `pakt pack <dir>`; the message names the record that is wrong.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PREFIX_DATA: {
    meaning: 'The archive has bytes before its first local file header (a self-extractor stub or a polyglot file).',
    hint: 'Use a plain ZIP that starts with its first entry; rebuild it with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_TRAILING_DATA: {
    meaning: 'The archive has bytes after its end-of-central-directory record, or between the central directory and that record.',
    hint: 'Remove what was appended to the archive; rebuild it with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_UNREFERENCED_DATA: {
    meaning: 'The archive has bytes that no entry accounts for (hidden data): between entries, or inside an entry after the end of its deflate stream.',
    hint: 'Rebuild the archive with `pakt pack <dir>` so that every byte belongs to an entry.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_ENTRY_OVERLAP: {
    meaning: 'Two entries share bytes, or an entry overlaps the central directory (the trick behind non-recursive zip bombs).',
    hint: 'Rebuild the archive with `pakt pack <dir>`; a normal ZIP tool never writes overlapping entries.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_HEADER_MISMATCH: {
    meaning: 'An entry\'s local header (or data descriptor) disagrees with its central directory record on the name, sizes, CRC, compression method or flags.',
    hint: 'Rebuild the archive with `pakt pack <dir>`; different tools would extract different files from it.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_TOO_MANY_ENTRIES: {
    meaning: 'The archive has more entries (files and folders) than limits.maxEntries (default 50,000).',
    hint: 'Bundle small files together, or raise limits.maxEntries in the host application.',
    status: 413, userFault: true, exit: 1,
  },
  E_PKG_UNCOMPRESSED_TOO_LARGE: {
    meaning: 'The entries add up to more uncompressed bytes than limits.maxUncompressedBytes (default 8 GiB).',
    hint: 'Remove large files from the package, or raise limits.maxUncompressedBytes in the host application.',
    status: 413, userFault: true, exit: 1,
  },
  E_PKG_COMPRESSION_RATIO: {
    meaning: 'A zip-bomb guard: an entry of 1 MiB or more expands more than limits.maxCompressionRatio times (default 1000:1), or the archive as a whole, unpacking to 64 MiB or more, declares more than limits.maxTotalCompressionRatio times its own size (default 100:1).',
    hint: 'Store such data differently (it is almost certainly padding), or raise limits.maxCompressionRatio or limits.maxTotalCompressionRatio (the message names which) in the host application.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_ENCRYPTED: {
    meaning: 'An entry is encrypted (traditional PKWARE, strong or AES encryption); packages must be readable by anyone who fetches them.',
    hint: 'Pack the files unencrypted (`pakt pack <dir>` never encrypts): a package must be readable by everyone who fetches it.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_COMPRESSION_METHOD: {
    meaning: 'An entry uses a compression method other than stored (0) or deflate (8).',
    hint: 'Rebuild the archive with `pakt pack <dir>`, or with a ZIP tool set to deflate (e.g. not bzip2, LZMA, zstd).',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_SIZE_MISMATCH: {
    meaning: 'An entry\'s data does not have the size the archive declares for it (truncated, padded, or a lie meant to get past size limits).',
    hint: 'Rebuild the archive with `pakt pack <dir>`; the file may be damaged.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_CRC_MISMATCH: {
    meaning: 'An entry\'s data does not match the CRC-32 the archive declares for it.',
    hint: 'The archive is damaged or was tampered with; rebuild it with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_DATA_CORRUPT: {
    meaning: 'An entry\'s compressed data cannot be inflated (the deflate stream is damaged).',
    hint: 'The archive is damaged; rebuild it with `pakt pack <dir>` and copy it again.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_SYMLINK: {
    meaning: 'The package contains a symbolic link (an archive entry with a link mode, or a link in the folder being packed).',
    hint: 'Replace the link with the file it points to, or remove it.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_SPECIAL_FILE: {
    meaning: 'The package contains an entry that is neither a regular file nor a folder (device, FIFO, socket), or whose mode contradicts its name.',
    hint: 'Remove the entry; packages hold only regular files and folders.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_FOLDER_HAS_DATA: {
    meaning: 'A folder entry (a name ending in `/`) carries data.',
    hint: 'Rebuild the archive with `pakt pack <dir>`; folder entries must be empty.',
    status: 422, userFault: true, exit: 1,
  },
  // --- paths inside the archive ---------------------------------------------------------------
  E_PKG_PATH_TOO_LONG: {
    meaning: 'A path inside the archive is longer than limits.maxPathBytes (default 1,024 bytes of UTF-8).',
    hint: 'Shorten the folder or file names.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_NOT_UTF8: {
    meaning: 'A path inside the archive is not valid UTF-8.',
    hint: 'Rename the file with a UTF-8 name and rebuild the archive with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_NOT_NFC: {
    meaning: 'A path inside the archive is not in Unicode normalisation form C (NFC), e.g. a decomposed accent as macOS writes it.',
    hint: 'Rename the file to its NFC form (`pakt pack` reports which); then rebuild.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_CONTROL_CHAR: {
    meaning: 'A path inside the archive contains NUL or another control character (including a name without the UTF-8 flag that decodes to one).',
    hint: 'Rename the file without control characters.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_ABSOLUTE: {
    meaning: 'A path inside the archive is absolute: it starts with `/` or a drive letter such as `C:`.',
    hint: 'Use paths relative to the package root, e.g. `lib/index.js`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_BACKSLASH: {
    meaning: 'A path inside the archive contains `\\`; paths are `/`-separated.',
    hint: 'Rebuild the archive with `pakt pack <dir>`, which writes `/` separators.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_TRAVERSAL: {
    meaning: 'A path inside the archive has a `..` segment, which would escape the folder it is extracted into.',
    hint: 'Remove the `..` segment; every path must stay inside the package.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_SEGMENT_INVALID: {
    meaning: 'A path inside the archive is empty or has an empty or `.` segment (`a//b`, `./a`).',
    hint: 'Use plain paths such as `lib/index.js`; rebuild with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_DUPLICATE: {
    meaning: 'Two entries have the same path, compared case-insensitively and after NFC normalisation (they would overwrite each other on many file systems).',
    hint: 'Rename one of the two files so that the paths differ by more than case or normalisation.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_PATH_FILE_FOLDER_CONFLICT: {
    meaning: 'A path is both a file and a folder in the archive (a file `a` and an entry `a/...`).',
    hint: 'Rename the file or the folder.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_UNICODE_PATH_MISMATCH: {
    meaning: 'An entry\'s Info-ZIP Unicode Path extra field names a different path than the entry\'s own name (tools would extract different files).',
    hint: 'Rebuild the archive with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  // --- metadata.json and manifest.json ---------------------------------------------------------
  E_PKG_METADATA_MISSING: {
    meaning: 'The archive (or the folder being packed) has no metadata.json at its root.',
    hint: 'Add a metadata.json with at least `name` and `version` at the root of the package.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_MANIFEST_MISSING: {
    meaning: 'The archive has no manifest.json at its root.',
    hint: 'Build the package with `pakt pack <dir>`, which writes manifest.json.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_JSON_TOO_LARGE: {
    meaning: 'metadata.json or manifest.json is larger than its limit (limits.maxMetadataBytes, 1 MiB; limits.maxManifestBytes, 32 MiB); it is refused before parsing.',
    hint: 'Move large data out of metadata.json into content files; split a package with a huge file list.',
    status: 413, userFault: true, exit: 1,
  },
  E_PKG_JSON_SYNTAX: {
    meaning: 'metadata.json or manifest.json is not valid JSON (or not valid UTF-8, or starts with a byte-order mark).',
    hint: 'Fix the JSON at the line and column named in the message.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_JSON_DUPLICATE_KEY: {
    meaning: 'An object in metadata.json or manifest.json has the same key twice (tools would disagree on which one counts).',
    hint: 'Keep one of the two keys named in the message.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_JSON_FORBIDDEN_KEY: {
    meaning: 'metadata.json or manifest.json has a `__proto__`, `constructor` or `prototype` key (a prototype-pollution vector).',
    hint: 'Rename or remove the key.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_JSON_TOO_DEEP: {
    meaning: 'metadata.json or manifest.json nests objects or arrays deeper than limits.maxJsonDepth (default 64).',
    hint: 'Flatten the structure.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_METADATA_INVALID: {
    meaning: 'metadata.json does not match schemas/metadata.schema.json (a field has the wrong type, a required field is missing, or it is not an object).',
    hint: 'Fix the field named in the message; see docs/package-format.md for the fields and their types.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_MANIFEST_INVALID: {
    meaning: 'manifest.json does not match schemas/manifest.schema.json, or lists metadata.json / manifest.json themselves or a path that is not a valid archive path.',
    hint: 'Regenerate manifest.json with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_MANIFEST_MISMATCH: {
    meaning: 'manifest.json names a different package name or version than metadata.json.',
    hint: 'Regenerate manifest.json with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_FILE_UNLISTED: {
    meaning: 'The archive holds a content file that manifest.json does not list.',
    hint: 'Regenerate manifest.json with `pakt pack <dir>`, or remove the file.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_FILE_MISSING: {
    meaning: 'manifest.json lists a file that the archive does not hold (or holds as a folder).',
    hint: 'Regenerate manifest.json with `pakt pack <dir>`, or add the file.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_HASH_MISMATCH: {
    meaning: 'A content file\'s sha256 differs from the hash manifest.json lists for it.',
    hint: 'The file changed after the manifest was written; regenerate it with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
  E_PKG_FILE_SIZE_MISMATCH: {
    meaning: 'A content file\'s size differs from the size manifest.json lists for it.',
    hint: 'The file changed after the manifest was written; regenerate it with `pakt pack <dir>`.',
    status: 422, userFault: true, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface PackageErrorDetails {}

/** The codes of this area: the package format's rules, which other areas name as a reason (details.rule, details.reason). */
export type PackageErrorCode = keyof typeof PACKAGE_ERRORS;
