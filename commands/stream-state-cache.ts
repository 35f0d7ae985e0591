import { LRUCache } from 'lru-cache';

/**
 * Write-side cache of loaded stream states, least-recently-used first out. Entries are snapshots keyed by stream
 * and revision: a loader catches an entry up from its revision, never trusts it blindly.
 */
export class StreamStateCache<Entry extends { revision: bigint }> {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get(streamId: string): Entry | undefined {
    return this.entries.get(streamId);
  }

  /** Keeps the newer of the cached and the offered snapshot, so a slow loader cannot roll the cache back. */
  offer(streamId: string, entry: Entry): void {
    const current = this.entries.peek(streamId);
    if (current && current.revision > entry.revision) return;
    this.entries.set(streamId, entry);
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }
}
