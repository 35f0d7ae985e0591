/**
 * One command at a time per stream within this process. Commands on a hot stream (one org's roster) would otherwise
 * all decide on the same revision and all but one lose the append; queuing them turns that into one append each.
 * Other processes still race, and the pipeline's retry on WrongExpectedVersion covers them.
 */
export class StreamLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(streamId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(streamId) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(streamId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(streamId) === tail) this.tails.delete(streamId);
    }
  }

  get size(): number {
    return this.tails.size;
  }
}
