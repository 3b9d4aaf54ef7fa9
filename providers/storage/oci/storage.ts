/**
 * The OCI registry storage provider: each archive is an OCI artifact (artifact-manifest.ts) in
 * repository `<namespace>/<name>`, tagged with its version (artifact-names.ts), reached through
 * the distribution API (client.ts). Blobs are placed by their owner, so `ownerRequired` is set and
 * every method but list() needs the owner.
 *
 * What a caller sees:
 * - A version is stored once its manifest is: the blob is uploaded first (HEAD first, so a blob
 *   the repository has is not sent again), the manifest last, so a failed put leaves nothing a
 *   reader can see (an unreferenced upload is the registry's garbage).
 * - Reads are verified while streaming (size, then digest); a mismatch fails the stream with
 *   E_STORE_INTEGRITY after the artifact was quarantined.
 * - Quarantine, in a registry, means: the bytes the registry served are copied, under their own
 *   digest, into a quarantine record in the same repository (tag `quarantined-<hex of the
 *   expected digest>`, artifact type application/vnd.pakt.quarantined.v1+zip, with the expected
 *   digest, the reason and the time as annotations), then the version's manifest is deleted and
 *   the blob unlinked from the repository. Nothing is lost: the record keeps the bytes for
 *   inspection, and the registry's own garbage collection can drop the damaged blob. Storing the
 *   good archive again afterwards reads it back to check it, since a registry re-uses the bytes it
 *   holds for a digest until its garbage collection has run (E_OCI_CORRUPT_BLOB_KEPT until then).
 * - A version's tag is never moved to another archive (E_OCI_TAG_TAKEN): the core may remove the
 *   blob of a publish that lost a race, and that must never take another archive's tag with it.
 */
import { createWriteStream } from 'node:fs';
import { rm, stat as fsStat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { CORE_VERSION, type BlobInfo, type BlobOwner, type Digest, type StorageProvider } from '../../../src/contracts/index.js';
import { RegistryError, toRegistryError } from '../../../src/errors.js';
import { assertDigest, createDigestHash, digestFromHash, digestHex, digestOfBytes } from '../../../src/util/digest.js';
import { createVerifiedReadable } from '../../../src/util/verify-stream.js';
import { checkPutArguments, checkPutBytesArguments, putMismatchError } from '../put-check.js';
import { artifactPlace, packageNameOf, QUARANTINE_TAG_PREFIX, type ArtifactPlace } from './artifact-names.js';
import { EMPTY_CONFIG_BYTES, EMPTY_CONFIG_DIGEST, packageManifest, quarantineManifest, readManifest, type Layer, type Manifest } from './artifact-manifest.js';
import { Authenticator } from './auth.js';
import { blobBytes, openBlob } from './blob-download.js';
import { deleteBlob, headBlob, mountBlob, uploadBlob, type BlobSource } from './blob-upload.js';
import { RegistryClient } from './client.js';
import { Redactor } from './credentials.js';
import { HttpTransport } from './http.js';
import { deleteManifest, getManifest, headManifest, listRepositories, listTags, putManifest } from './manifests.js';
import { resolveOciOptions, type OciStorageOptions } from './options.js';
import { formatImageReference, type RegistryLocation } from './reference.js';

export interface OciStorage extends StorageProvider {
  readonly capabilities: { readonly moveFromTemp: false; readonly persistent: true; readonly ownerRequired: true };
  putBytes(digest: Digest, bytes: Uint8Array, owner?: BlobOwner): Promise<void>;
  /** Closes the connections; idempotent. */
  close(): void;
  /** Where the archives are: scheme, registry, namespace. */
  readonly location: RegistryLocation;
  /** The reference an OCI client pulls a version by: `127.0.0.1:5000/pakt/demo:1.0.0`. */
  referenceOf(owner: BlobOwner): string;
  /** Requests sent (in all and by method) and tokens fetched so far (benchmarks and tests read them). */
  counters(): { requests: number; byMethod: Readonly<Record<string, number>>; tokenRequests: number };
}

/** The tag of the quarantine record of `digest`. */
export function quarantineTag(digest: Digest): string {
  return `${QUARANTINE_TAG_PREFIX}${digestHex(digest)}`;
}

interface Resolved {
  readonly manifestDigest: Digest;
  readonly size: number;
  /** The tag named this manifest (false: found by its digest, the tag was missing or elsewhere). */
  readonly tagged: boolean;
  readonly tagMissing: boolean;
}

export function createOciStorage(options: OciStorageOptions): OciStorage {
  const o = resolveOciOptions(options);
  const { location } = o;
  const redactor = new Redactor();
  if (o.credentials !== 'auto' && o.credentials !== 'anonymous') redactor.addCredentials(o.credentials);
  const transport = new HttpTransport({
    connectTimeoutMs: o.connectTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    maxSockets: o.maxConnections,
    rejectUnauthorized: o.rejectUnauthorized,
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
  });
  const auth = new Authenticator({
    registry: location.registry,
    transport,
    redactor,
    retry: o.retry,
    plainHttp: o.plainHttp,
    sources: {
      ...(o.credentials === 'auto' ? {} : { explicit: o.credentials }),
      env: o.env,
      ...(o.paktCredentialsFile !== undefined ? { paktCredentialsFile: o.paktCredentialsFile } : {}),
      ...(o.dockerConfigFile !== undefined ? { dockerConfigFile: o.dockerConfigFile } : {}),
    },
  });
  const client = new RegistryClient({ apiBase: location.apiBase, registry: location.registry, transport, auth, redactor, retry: o.retry });
  const uploadOptions = { monolithicMaxBytes: o.monolithicMaxBytes, chunkBytes: o.chunkBytes };
  /** Repositories known to have the empty config blob. */
  const withConfig = new Set<string>();
  /** Uploads in flight, by repository and digest: one upload of a blob at a time in this process. */
  const uploading = new Map<string, Promise<void>>();
  let pinged: Promise<void> | undefined;
  let closed = false;

  const place = (owner: BlobOwner | undefined): ArtifactPlace => artifactPlace(location.namespace, owner as BlobOwner);
  const shown = (p: ArtifactPlace, digest?: Digest): string => formatImageReference({ registry: location.registry, repository: p.repository, tag: p.tag, ...(digest ? { digest } : {}) });

  /** Runs a method: checks it is open, pings the registry once, scrubs secrets from any error. */
  async function run<T>(body: () => Promise<T>): Promise<T> {
    if (closed) throw new RegistryError('E_CLOSED', `the OCI storage for ${location.registry}/${location.namespace} was used after close()`);
    try {
      pinged ??= client.ping().catch((err: unknown) => {
        pinged = undefined;
        throw err;
      });
      await pinged;
      return await body();
    } catch (err) {
      throw client.scrub(err instanceof RegistryError ? err : toRegistryError(err));
    }
  }

  /** The manifest that holds (owner, digest), by its tag or else by its deterministic digest. */
  async function resolve(p: ArtifactPlace, owner: BlobOwner, digest: Digest): Promise<Resolved | undefined> {
    const tagged = await getManifest(client, p.repository, p.tag);
    if (tagged) {
      const read = readManifest(tagged.bytes, shown(p));
      if (read.kind === 'package' && read.layer.digest === digest) return { manifestDigest: tagged.digest, size: read.layer.size, tagged: true, tagMissing: false };
    }
    const size = await headBlob(client, p.repository, digest);
    if (size === undefined) return undefined;
    const expected = packageManifest(owner, { digest, size });
    const found = await headManifest(client, p.repository, expected.digest);
    return found === expected.digest ? { manifestDigest: expected.digest, size, tagged: false, tagMissing: tagged === undefined } : undefined;
  }

  /** Puts a version's tag back on its manifest when the tag was lost (a put that lost a race, then undone). */
  async function heal(p: ArtifactPlace, owner: BlobOwner, digest: Digest, r: Resolved): Promise<void> {
    if (!r.tagMissing) return;
    await putManifest(client, p.repository, p.tag, packageManifest(owner, { digest, size: r.size })).catch(() => undefined);
  }

  /**
   * Uploads a blob unless the same upload is already running here: distribution rewrites a
   * blob's link file on each upload of it, and a manifest checked while the file is being
   * rewritten finds the blob unknown.
   */
  function uploadOnce(repository: string, digest: Digest, source: BlobSource): Promise<void> {
    const key = `${repository}@${digest}`;
    const running = uploading.get(key);
    if (running) return running;
    const p = uploadBlob(client, repository, digest, source, uploadOptions).finally(() => uploading.delete(key));
    uploading.set(key, p);
    return p;
  }

  /**
   * Links the empty config blob into a repository, once per repository in this process: by a
   * cross-repository mount from one that has it (one request), else by HEAD and, if missing, an
   * upload of its two bytes.
   */
  function ensureConfig(repository: string): Promise<void> {
    if (withConfig.has(repository)) return Promise.resolve();
    const key = `config@${repository}`;
    const running = uploading.get(key);
    if (running) return running;
    const p = (async () => {
      const from = [...withConfig][0];
      if (from !== undefined && (await mountBlob(client, repository, EMPTY_CONFIG_DIGEST, from))) return;
      if ((await headBlob(client, repository, EMPTY_CONFIG_DIGEST)) === undefined) {
        await uploadBlob(client, repository, EMPTY_CONFIG_DIGEST, { kind: 'bytes', bytes: EMPTY_CONFIG_BYTES }, uploadOptions);
      }
    })().then(() => {
      withConfig.add(repository);
    }).finally(() => uploading.delete(key));
    uploading.set(key, p);
    return p;
  }

  /**
   * Writes a manifest; a registry that finds a just-uploaded blob unknown (another process is
   * uploading the same blob, see uploadOnce) is asked again after a pause, a few times.
   */
  async function writeManifest(repository: string, reference: string, manifest: Manifest): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await putManifest(client, repository, reference, manifest);
        return;
      } catch (err) {
        const codes = err instanceof RegistryError && Array.isArray(err.details['registryCodes']) ? (err.details['registryCodes'] as string[]) : [];
        if (!codes.includes('MANIFEST_BLOB_UNKNOWN') || attempt >= 4) throw err;
        withConfig.delete(repository);
        await new Promise((r) => setTimeout(r, 50 * attempt));
        await ensureConfig(repository);
      }
    }
  }

  /** Reads a stored blob back and checks it (after re-storing a digest that was quarantined). */
  async function storedBytesMatch(repository: string, digest: Digest, size: number): Promise<boolean> {
    const res = await openBlob(client, repository, digest);
    if (!res) return false;
    const hash = createDigestHash();
    let seen = 0;
    for await (const chunk of blobBytes(client, repository, digest, res, size)) {
      seen += chunk.length;
      hash.update(chunk);
      if (seen > size) break;
    }
    return seen === size && digestFromHash(hash) === digest;
  }

  async function store(digest: Digest, size: number, source: BlobSource, owner: BlobOwner): Promise<void> {
    const p = place(owner);
    // The tag and the blob are looked up together: an absent tag needs the blob's state next.
    const [existing, linked] = await Promise.all([getManifest(client, p.repository, p.tag), headBlob(client, p.repository, digest)]);
    if (existing) {
      const read = readManifest(existing.bytes, shown(p));
      if (read.kind === 'package' && read.layer.digest === digest) {
        if (read.layer.size !== size) throw putMismatchError(digest, source.kind === 'file' ? source.path : undefined, { size: read.layer.size, foundSize: size });
        return;
      }
      throw new RegistryError('E_OCI_TAG_TAKEN', `${shown(p)} already holds ${read.kind === 'package' ? `another archive (${read.layer.digest})` : `an artifact Pakt did not write (${read.kind === 'foreign' ? read.artifactType ?? 'no artifact type' : read.kind})`}; nothing was stored for ${digest}`, { expected: digest, found: read.kind === 'package' ? read.layer.digest : null, path: shown(p) });
    }
    const config = ensureConfig(p.repository);
    config.catch(() => undefined);
    if (linked !== size) {
      const [quarantined] = await Promise.all([headManifest(client, p.repository, quarantineTag(digest)), uploadOnce(p.repository, digest, source)]);
      if ((quarantined !== undefined || linked !== undefined) && !(await storedBytesMatch(p.repository, digest, size))) {
        await deleteBlob(client, p.repository, digest).catch(() => undefined);
        throw new RegistryError('E_OCI_CORRUPT_BLOB_KEPT', `${location.registry} still serves damaged bytes for ${digest} in ${p.repository} after the good archive was uploaded again; nothing was stored`, { expected: digest, path: shown(p, digest) });
      }
    }
    await config;
    const manifest = packageManifest(owner, { digest, size });
    await writeManifest(p.repository, p.tag, manifest);
    // Another writer may have tagged another archive between the check above and this put.
    const now = await headManifest(client, p.repository, p.tag);
    if (now !== manifest.digest) {
      throw new RegistryError('E_OCI_TAG_TAKEN', `${shown(p)} was tagged with another artifact (${now ?? 'none'}) while ${digest} was being stored; nothing was stored`, { expected: manifest.digest, found: now ?? null, path: shown(p) });
    }
  }

  async function quarantineBlob(digest: Digest, reason: string, owner: BlobOwner): Promise<void> {
    const p = place(owner);
    const r = await resolve(p, owner, digest);
    if (!r) return;
    let kept: Layer | undefined;
    const res = await openBlob(client, p.repository, digest);
    if (res) {
      const copy = path.join(o.tempDir, `pakt-oci-quarantine-${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        const hash = createDigestHash();
        let seen = 0;
        const limit = r.size + 1024 * 1024;
        async function* bounded(): AsyncGenerator<Uint8Array> {
          for await (const chunk of blobBytes(client, p.repository, digest, res!, r!.size)) {
            const take = chunk.subarray(0, Math.max(0, limit - seen));
            seen += take.length;
            hash.update(take);
            if (take.length > 0) yield take;
            if (seen >= limit) return;
          }
        }
        await pipeline(Readable.from(bounded()), createWriteStream(copy, { flags: 'wx', mode: 0o600 }));
        kept = { digest: digestFromHash(hash), size: seen };
        if (kept.digest !== digest && (await headBlob(client, p.repository, kept.digest)) !== kept.size) {
          await uploadOnce(p.repository, kept.digest, { kind: 'file', path: copy, size: kept.size });
        }
      } finally {
        await rm(copy, { force: true });
      }
    }
    await ensureConfig(p.repository);
    if (kept) {
      const note = { expected: digest, reason, at: new Date().toISOString() };
      await writeManifest(p.repository, quarantineTag(digest), quarantineManifest(owner, kept, note));
    }
    await deleteManifest(client, p.repository, r.manifestDigest);
    if (!kept || kept.digest !== digest) await deleteBlob(client, p.repository, digest);
  }

  async function* listBlobs(): AsyncGenerator<BlobInfo> {
    for await (const repository of listRepositories(client, location.namespace)) {
      const name = packageNameOf(location.namespace, repository);
      if (name === undefined) continue;
      const batch: string[] = [];
      const flush = async function* (): AsyncGenerator<BlobInfo> {
        const reads = await Promise.all(batch.splice(0).map(async (tag) => {
          const m = await getManifest(client, repository, tag);
          return m ? { tag, read: readManifest(m.bytes, `${location.registry}/${repository}:${tag}`) } : undefined;
        }));
        for (const entry of reads) {
          if (!entry || entry.read.kind !== 'package') continue;
          const { owner, layer } = entry.read;
          // Only the tag Pakt gives a version counts; another tag on the same artifact (an alias
          // someone added, such as `latest`) is not a second blob.
          let own: ArtifactPlace;
          try {
            own = place(owner);
          } catch {
            continue;
          }
          if (own.repository !== repository || own.tag !== entry.tag) continue;
          yield { digest: layer.digest, size: layer.size, owner: { name: owner.name, version: owner.version } };
        }
      };
      for await (const tag of listTags(client, repository)) {
        if (tag.startsWith(QUARANTINE_TAG_PREFIX)) continue;
        batch.push(tag);
        if (batch.length >= o.listConcurrency) yield* flush();
      }
      yield* flush();
    }
  }

  return {
    info: { name: 'oci', family: 'storage', coreRange: `^${CORE_VERSION}` },
    capabilities: { moveFromTemp: false, persistent: true, ownerRequired: true },
    tempDir: undefined,
    location,

    referenceOf(owner) {
      const p = place(owner);
      return formatImageReference({ registry: location.registry, repository: p.repository, tag: p.tag });
    },

    counters() {
      const byMethod = { ...client.sent };
      return { requests: Object.values(byMethod).reduce((a, b) => a + b, 0), byMethod, tokenRequests: auth.tokenRequests };
    },

    put(digest, size, sourcePath, owner) {
      return run(async () => {
        checkPutArguments(digest, size, sourcePath);
        place(owner);
        let info;
        try {
          info = await fsStat(sourcePath);
        } catch (err) {
          throw toRegistryError(err, 'E_IO', `cannot read the file to store for ${digest}`);
        }
        if (info.size !== size) throw putMismatchError(digest, sourcePath, { size, foundSize: info.size });
        await store(digest, size, { kind: 'file', path: sourcePath, size }, owner!);
      });
    },

    putBytes(digest, bytes, owner) {
      return run(async () => {
        checkPutBytesArguments(digest, bytes);
        place(owner);
        const found = digestOfBytes(bytes);
        if (found !== digest) throw putMismatchError(digest, undefined, { size: bytes.length, foundSize: bytes.length, foundDigest: found });
        await store(digest, bytes.length, { kind: 'bytes', bytes }, owner!);
      });
    },

    get(digest, owner) {
      return run(async () => {
        assertDigest(digest);
        const p = place(owner);
        const missing = (): RegistryError => new RegistryError('E_STORE_BLOB_MISSING', `archive ${digest} of ${owner!.name}@${owner!.version} is not in ${shown(p)}`, { expected: digest, path: shown(p, digest) });
        const r = await resolve(p, owner!, digest);
        if (!r) throw missing();
        await heal(p, owner!, digest, r);
        const res = await openBlob(client, p.repository, digest);
        if (!res) throw missing();
        return createVerifiedReadable(blobBytes(client, p.repository, digest, res, r.size), {
          expectedDigest: digest,
          expectedSize: r.size,
          path: `${location.registry}/${p.repository}@${digest}`,
          onMismatch: (why) => run(() => quarantineBlob(digest, `verification failed on read: ${why}`, owner!)),
          readError: (err) => client.scrub(err instanceof RegistryError ? err : toRegistryError(err, 'E_REMOTE_NETWORK')),
        });
      });
    },

    stat(digest, owner) {
      return run(async () => {
        assertDigest(digest);
        const p = place(owner);
        const r = await resolve(p, owner!, digest);
        if (!r) return undefined;
        await heal(p, owner!, digest, r);
        return { digest, size: r.size, owner: { name: owner!.name, version: owner!.version } };
      });
    },

    delete(digest, owner) {
      return run(async () => {
        assertDigest(digest);
        const p = place(owner);
        const r = await resolve(p, owner!, digest);
        if (!r) return false;
        await deleteManifest(client, p.repository, r.manifestDigest);
        await deleteBlob(client, p.repository, digest);
        return true;
      });
    },

    list() {
      const iterator = listBlobs();
      return {
        [Symbol.asyncIterator]() {
          return {
            next: () => run(() => iterator.next()),
            return: (value?: unknown) => iterator.return(value as undefined),
          };
        },
      };
    },

    quarantine(digest, reason, owner) {
      return run(async () => {
        assertDigest(digest);
        await quarantineBlob(digest, String(reason).slice(0, 1000), owner!);
      });
    },

    close() {
      if (closed) return;
      closed = true;
      transport.close();
    },
  };
}
