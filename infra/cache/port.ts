import type { z } from 'zod';

/**
 * The Cache port: a string key-value cache with expiry and atomic counters, for the read side's hot paths.
 * It is never the source of truth: everything in it can be rebuilt from the log, any entry may vanish at any time
 * (expiry, eviction, a server restart), and a caller that gets CacheUnavailableError falls back to the read model.
 *
 * Adapters: Redis (`redis.ts`, production) and an in-process LRU (`memory.ts`, embedded default). Both pass
 * test/contract/cache.contract.ts; everything below holds for both unless it says otherwise.
 *
 * Namespacing
 * - Keys are relative to the adapter's namespace (Redis: the `keyPrefix` given at connect, e.g. `agencygrid:`,
 *   prepended to every key by the adapter; memory: each MemoryCache instance is its own namespace).
 *   `deleteByPrefix` only ever sees keys of its own namespace. Two namespaces on one Redis are isolated as long as
 *   neither prefix is a prefix of the other: end prefixes with a separator (`agencygrid:` and `agencygrid-test:`, not
 *   `ag` and `ag2`).
 * - Keys and values are JavaScript strings stored as UTF-8 (strings with lone surrogates do not round-trip on Redis).
 *
 * Expiry (`ttlMs`)
 * - A positive safe integer number of milliseconds; anything else (0, negative, fractional, NaN, Infinity) rejects
 *   with RangeError and changes nothing. Omitted = no expiry.
 * - An entry is readable until `ttlMs` have elapsed since the write took effect (on the Redis server's clock, with
 *   millisecond resolution; in memory, on the process's monotonic clock) and never after: expiry is checked on every
 *   read, so an expired entry is never returned, counted, or reported as deleted. Its memory is reclaimed later
 *   (Redis's active expiry; the in-process adapter's periodic sweep). Do not rely on sub-millisecond timing.
 * - `set`/`setJson` replace the value AND the expiry: writing without `ttlMs` makes the entry permanent.
 *   `increment` keeps an existing entry's expiry and only applies `ttlMs` when it creates the entry.
 *
 * Failures
 * - CacheUnavailableError: unreachable or timed-out server, an operational refusal (loading, read-only, out of
 *   memory), or a closed cache. Adapters fail fast (about a second or two at most, never an unbounded wait); the call
 *   may or may not have taken effect.
 * - RangeError / TypeError: invalid arguments (see each method); nothing is changed.
 * - CacheError: anything else unexpected from the server (e.g. a foreign non-string value in the namespace).
 */
export interface Cache {
  /** The value, or null when the key is absent or expired. */
  get(key: string): Promise<string | null>;

  /**
   * Reads a value written by `setJson`, parses it as JSON and validates it with `schema`, returning the schema's
   * output (so transforms and defaults apply). A value that is not JSON or fails the schema counts as a miss: it
   * resolves null and the entry is deleted (only if it still holds that same value, so a concurrent rewrite survives;
   * best effort: the call still resolves null if the deletion fails).
   */
  getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null>;

  /** Stores `value`, replacing any previous value and expiry. */
  set(key: string, value: string, options?: CacheWriteOptions): Promise<void>;

  /**
   * Stores `JSON.stringify(value)`. Rejects with TypeError, storing nothing, when the value has no JSON form
   * (`undefined`, a function, a symbol) or cannot be serialized (a BigInt, a cycle). What `JSON.stringify` does to
   * other values applies (Dates become ISO strings, `undefined` properties disappear).
   */
  setJson(key: string, value: unknown, options?: CacheWriteOptions): Promise<void>;

  /** Removes the key. True when a live (unexpired) entry was removed. */
  delete(key: string): Promise<boolean>;

  /**
   * Removes every key of this namespace that starts with `prefix` (compared literally: `*`, `?`, `[`, `]` and `\`
   * have no special meaning) and returns how many live entries were removed. The empty prefix empties the namespace.
   * Not a snapshot: entries written while it runs may or may not be removed; every entry that existed before the call
   * and was not rewritten during it is gone when it resolves. On Redis the cost is proportional to the size of the
   * whole database (SCAN), not to the number of matching keys: meant for invalidation, not for hot paths. When it fails
   * midway (CacheUnavailableError), some of the entries may already be gone.
   */
  deleteByPrefix(prefix: string): Promise<number>;

  /**
   * Atomically adds `by` (default 1) to the integer stored at `key` and returns the new value. An absent key counts
   * as 0 and is created with `options.ttlMs` (when given); an existing key keeps its expiry and `ttlMs` is ignored.
   * Concurrent increments from any number of callers (and, on Redis, processes) never lose an update.
   * - The value is stored as a decimal string, so `get` returns e.g. `"3"` and `set(key, "41")` can seed a counter.
   * - `by` must be a safe integer (negative to decrement, 0 allowed), else RangeError.
   * - A stored value that is not a canonical base-10 64-bit integer (`"abc"`, `"1.5"`, `"01"`, `"+1"`, `"-0"`,
   *   `" 1"`) rejects with CacheValueNotNumericError; a result outside ±Number.MAX_SAFE_INTEGER rejects with
   *   CacheCounterOutOfRangeError. In both cases the stored value is unchanged.
   * - Not idempotent: after a CacheUnavailableError the increment may or may not have been applied.
   */
  increment(key: string, by?: number, options?: CacheWriteOptions): Promise<number>;

  /**
   * Releases the connection (Redis: after the replies to calls already made) or the entries and sweep timer
   * (memory). Every later call rejects with CacheUnavailableError. Idempotent.
   */
  close(): Promise<void>;
}

export interface CacheWriteOptions {
  /** Time to live in milliseconds: a positive safe integer. Omitted = no expiry. */
  ttlMs?: number;
}
