/** Building manifest.json: every content file with its sha256 and size, keys sorted. */
import type { PackageManifest } from '../contracts/package.js';

/** Byte-wise order of the UTF-8 paths: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function buildManifest(name: string, version: string, files: Iterable<{ path: string; hash: string; size: number }>): PackageManifest {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const out: PackageManifest = { name, version, files: {} };
  for (const f of sorted) out.files[f.path] = { hash: f.hash, size: f.size };
  return out;
}

/** The bytes written to manifest.json (and metadata.json by buildPackage): 2-space JSON, final newline. */
export function serializeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
}
