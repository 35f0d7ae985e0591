/**
 * Callers waiting for a follower of the log to reach a position (read-your-writes): each waits on its own measure of
 * "reached" (every projection, one of them, those serving reads), is released by `release()` after the follower
 * moves, and gives up after its timeout.
 */
export class PositionWaiters {
  private waiters: Array<{ position: bigint; reached: () => bigint; resolve: (reached: boolean) => void }> = [];

  /**
   * Resolves true once `reached()` is at least `position` (checked now and at each `release()`), false after
   * `timeoutMs` (undefined: only `cancel()` answers false).
   */
  waitUntil(position: bigint, timeoutMs: number | undefined, reached: () => bigint): Promise<boolean> {
    if (reached() >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
              resolve(false);
            }, timeoutMs);
      const done = (reached: boolean) => {
        clearTimeout(timer);
        resolve(reached);
      };
      this.waiters.push({ position, reached, resolve: done });
    });
  }

  /** Releases every waiter whose position is now reached. */
  release(): void {
    const released = this.waiters.filter((waiter) => waiter.position <= waiter.reached());
    if (released.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => !released.includes(waiter));
    for (const waiter of released) waiter.resolve(true);
  }

  /** The follower stopped: nothing more will be reached, so every waiter gets its answer (false) now. */
  cancel(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve(false);
  }
}
