/**
 * Keeps this manager's search index following writes made elsewhere: the `pakt` CLI, another
 * server process, another connection to the same store. The index is built once from the
 * metadata, and this process's own publishes and deletes keep it in step (search-sync.ts); what
 * others write it learns here, from the metadata provider's change feed (changesSince), before
 * each search.
 *
 *   follow():  take the feed's position (before the index is read from the metadata whole)
 *   catchUp(): re-sync every package changed since, or have the index rebuilt when the feed no
 *              longer reaches back that far
 *
 * A provider without changesSince leaves both as no-ops: search then knows this process's writes
 * only, as before the feed existed.
 */
import type { CoreContext } from './context.js';
import { syncSearchEntry } from './search-sync.js';

export class SearchFreshness {
  /** Where the index is up to in the feed; undefined until follow(), or without a feed. */
  private cursor: string | undefined;
  /** The catch-up in flight: searches arriving meanwhile share it instead of syncing twice. */
  private running: Promise<void> | undefined;

  /**
   * @param rebuild rebuilds the index from the metadata whole, calling follow() before it reads
   *   (the manager's own build, so writes of this process wait for it as for the first one).
   */
  constructor(
    private readonly ctx: CoreContext,
    private readonly rebuild: () => Promise<void>,
  ) {}

  /** Takes the feed's current position; call right before the index is read from the metadata. */
  async follow(): Promise<void> {
    const feed = this.ctx.metadata.changesSince;
    this.cursor = feed ? (await feed.call(this.ctx.metadata)).cursor : undefined;
  }

  /** Brings the index up to date with every write the feed reports since the last call. */
  catchUp(): Promise<void> {
    if (this.cursor === undefined) return Promise.resolve();
    this.running ??= this.applyChanges(this.cursor).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async applyChanges(cursor: string): Promise<void> {
    const changes = await this.ctx.metadata.changesSince!(cursor);
    if (!changes.complete) {
      await this.rebuild();
      return;
    }
    // One package at a time, each read fresh from the metadata; the cursor moves only once all
    // are in, so a failure here leaves them to the next search.
    for (const name of changes.names) await syncSearchEntry(this.ctx, name);
    this.cursor = changes.cursor;
  }
}
