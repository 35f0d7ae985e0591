/** Typed errors of the Cache port. Every adapter throws exactly these for the conditions the port documents. */

/** Base class: an error the cache reports that is none of the specific ones below (e.g. an unexpected server reply). */
export class CacheError extends Error {
  override readonly name: string = 'CacheError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The cache cannot serve the call: the server is unreachable, timed out, refused the command for an operational
 * reason (loading, read-only replica, out of memory, ...), or the cache has been closed. The call may or may not have
 * taken effect (a write that timed out may still be applied); callers treat the cache as absent and fall back to the
 * source of truth.
 */
export class CacheUnavailableError extends CacheError {
  override readonly name: string = 'CacheUnavailableError';
}

/** `increment` on a key whose value is not a canonical base-10 64-bit integer. The value is left unchanged. */
export class CacheValueNotNumericError extends CacheError {
  override readonly name: string = 'CacheValueNotNumericError';
  constructor(readonly key: string) {
    super(`cannot increment '${key}': its value is not an integer`);
  }
}

/**
 * `increment` whose result would fall outside the safe integer range of a JavaScript number
 * (±(2^53 − 1), `Number.MAX_SAFE_INTEGER`). The value is left unchanged.
 */
export class CacheCounterOutOfRangeError extends CacheError {
  override readonly name: string = 'CacheCounterOutOfRangeError';
  constructor(
    readonly key: string,
    readonly by: number,
  ) {
    super(`cannot increment '${key}' by ${by}: the result is outside ±Number.MAX_SAFE_INTEGER`);
  }
}
