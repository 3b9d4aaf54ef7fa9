/** Shared pieces of the OCI storage tests: a provider on a test registry, and putting buffers. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOciStorage, type OciStorage, type OciStorageOptions } from '../../../../providers/storage/oci/index.js';
import type { BlobOwner, Digest } from '../../../../src/contracts/index.js';
import { digestOfBytes } from '../../../../src/util/digest.js';
import type { RegistryServer } from './registry-server.js';

export const FAST_RETRY = { attempts: 3, baseDelayMs: 20, maxDelayMs: 200, maxElapsedMs: 5000 };

let counter = 0;
export function namespace(label: string): string {
  return `${label}-${process.pid}-${++counter}`;
}

export function storageOn(server: RegistryServer, ns: string, extra: Partial<OciStorageOptions> = {}): OciStorage {
  return createOciStorage({ url: server.url(ns), credentials: 'anonymous', retry: FAST_RETRY, ...extra });
}

let scratch: Promise<string> | undefined;
function scratchDir(): Promise<string> {
  scratch ??= mkdtemp(path.join(tmpdir(), 'pakt-oci-test-'));
  return scratch;
}
export async function disposeScratch(): Promise<void> {
  if (!scratch) return;
  const dir = await scratch;
  scratch = undefined;
  await rm(dir, { recursive: true, force: true });
}

/** Writes `bytes` to a temp file and puts it; returns the digest. */
export async function putBuffer(storage: OciStorage, bytes: Buffer, owner: BlobOwner): Promise<Digest> {
  const file = path.join(await scratchDir(), `src-${randomBytes(6).toString('hex')}`);
  await writeFile(file, bytes);
  const digest = digestOfBytes(bytes);
  await storage.put(digest, bytes.length, file, owner);
  return digest;
}

export async function readAll(storage: OciStorage, digest: Digest, owner: BlobOwner): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await storage.get(digest, owner)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e);
}

/** A raw distribution API call (no auth), for looking at what the provider wrote. */
export async function api(server: RegistryServer, pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://${server.host}/v2/${pathAndQuery}`, { ...init, headers: { accept: 'application/vnd.oci.image.manifest.v1+json', ...(init.headers ?? {}) } });
}
