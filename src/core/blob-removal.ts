/**
 * Removing a stored archive that no version refers to: what gc does to orphans, delete does after
 * the last version of some bytes went, and a failed publish does to the blob it stored.
 *
 * "Nothing refers to it" must still hold when the blob goes. A publish of the very same bytes in
 * another process may insert its version between the question and the removal, be acknowledged,
 * and be left without its archive. Where the metadata provider can hold inserts back while the
 * blob is removed (removeIfUnreferenced), the two happen as one; otherwise the core asks and then
 * removes, and that window stays open (docs/providers.md says so to provider authors).
 */
import type { BlobOwner, Digest } from '../contracts/index.js';
import type { CoreContext } from './context.js';

/** Removes the blob unless a version refers to it; true when this call removed it. */
export async function removeUnreferencedBlob(ctx: CoreContext, digest: Digest, owner?: BlobOwner): Promise<boolean> {
  const remove = (): Promise<boolean> => ctx.storage.delete(digest, owner);
  if (ctx.metadata.removeIfUnreferenced) return ctx.metadata.removeIfUnreferenced(digest, remove);
  if (await ctx.metadata.isDigestReferenced(digest)) return false;
  return remove();
}
