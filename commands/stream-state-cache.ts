/**
 * Write-side cache of loaded stream states, least-recently-used first out. Entries are snapshots keyed by stream
 * and revision: a loader catches an entry up from its revision, never trusts it blindly.
 */
export class StreamStateCache<Entry extends { revision: bigint }> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  get(streamId: string): Entry | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  /** Keeps the newer of the cached and the offered snapshot, so a slow loader cannot roll the cache back. */
  offer(streamId: string, entry: Entry): void {
    const current = this.entries.get(streamId);
    if (current && current.revision > entry.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }
}
