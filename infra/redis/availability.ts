/**
 * Fail-fast-and-probe for calls to a Redis that may be unavailable (lost, refused, or frozen: connection open, no
 * replies). Once a call found Redis unavailable, calls fail at once for `retryAfterMs`; then one call probes and the
 * others keep failing at once until it answers. So a frozen Redis costs one call timeout per `retryAfterMs`, not one
 * per call. Shared by the cache (infra/cache/redis.ts) and the rate counters (infra/rate-limit/counter.ts), both with
 * CACHE_TIMEOUT_MS as the call timeout and CACHE_RETRY_AFTER_MS as `retryAfterMs`.
 */
export class RedisAvailability {
  /** When the last unavailability was seen (0: none since the last answer). */
  private unavailableAt = 0;
  /** A probe call is in flight while Redis is known to be down. */
  private probing = false;

  constructor(private readonly retryAfterMs: number) {
    if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) throw new RangeError(`retryAfterMs must be a non-negative number, got ${retryAfterMs}`);
  }

  /** Records an unavailability seen outside a call (e.g. the connection ended). */
  markUnavailable(): void {
    this.unavailableAt = Date.now();
  }

  /**
   * Runs `call` unless Redis is known to be down (then throws `failFast()` at once). A failure for which
   * `isUnavailable` holds marks Redis down; an answer, or any other failure (a reply from the server), marks it up.
   */
  async run<T>(call: () => Promise<T>, isUnavailable: (error: unknown) => boolean, failFast: () => Error): Promise<T> {
    let probe = false;
    if (this.unavailableAt !== 0) {
      if (this.probing || Date.now() - this.unavailableAt < this.retryAfterMs) throw failFast();
      probe = true;
      this.probing = true;
    }
    try {
      const result = await call();
      this.unavailableAt = 0;
      return result;
    } catch (error) {
      this.unavailableAt = isUnavailable(error) ? Date.now() : 0;
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }
}
