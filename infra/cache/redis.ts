import { backoffDelay } from '../retry/backoff.ts';
import { cacheReconnect } from '../retry/policies.ts';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import { RedisAvailability } from '../redis/availability.ts';
import { CacheCounterOutOfRangeError, CacheError, CacheUnavailableError, CacheValueNotNumericError } from './errors.ts';
import type { Cache, CacheWriteOptions } from './port.ts';
import { checkIncrement, decodeJson, encodeJson, ttlOf } from './shared.ts';

export interface RedisCacheOptions {
  /** Prepended to every key; the cache's namespace. Non-empty; end it with a separator, e.g. `agencygrid:`. */
  keyPrefix: string;
  /** Give up a TCP connection attempt after this long. Default 1,000 ms. */
  connectTimeoutMs?: number;
  /**
   * Reject a call that has no reply after this long, queued time included (CACHE_TIMEOUT_MS). Default 250 ms: the
   * cache only saves work, so a caller never waits on it longer than a read of the read model would take.
   */
  commandTimeoutMs?: number;
  /** Reconnection attempts after a connection fails or drops, with backoff (100, 200, 400 ms...). Default 3. */
  reconnectAttempts?: number;
  /**
   * After a call found Redis unavailable (connection lost, reconnection attempts exhausted, or a call timed out on a
   * server that holds the connection open but does not answer), calls fail at once for this long; then one call
   * probes and the others keep failing at once until it answers (CACHE_RETRY_AFTER_MS). Default 1,000 ms.
   */
  retryAfterMs?: number;
  /** SCAN page size (and UNLINK batch size) for deleteByPrefix. Default 1,000. */
  scanCount?: number;
  /** Connection errors, for logging (they are also the `cause` of the CacheUnavailableError calls reject with). */
  onError?: (error: Error) => void;
}

/** Replies that mean "the server cannot serve this now", not "this call is wrong". */
const OPERATIONAL_ERROR_CODES = new Set([
  'LOADING',
  'READONLY',
  'OOM',
  'MASTERDOWN',
  'BUSY',
  'MISCONF',
  'NOREPLICAS',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
]);

class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/**
 * INCRBY that applies the TTL only when it creates the key (EXISTS first: an expired key counts as absent) and refuses
 * results outside the safe integer range, undoing the INCRBY within the same atomic script. Error replies start with
 * our own codes so the adapter can map them without parsing Redis's wording. It answers the new value as the stored
 * decimal string, not as an integer reply: ioredis 6.0.0 decodes integer replies within 46 of MAX_SAFE_INTEGER off by
 * one (`number * 10 + byte - 48` rounds past 2^53; fixed upstream in redis/ioredis#2164).
 * KEYS[1] = key; ARGV[1] = by; ARGV[2] = ttl in ms or ''.
 */
const INCREMENT = new LuaScript(`
local created = redis.call('EXISTS', KEYS[1]) == 0
local result = redis.pcall('INCRBY', KEYS[1], ARGV[1])
if type(result) == 'table' and result.err then
  if string.find(result.err, 'not an integer', 1, true) or string.find(result.err, 'WRONGTYPE', 1, true) then
    return redis.error_reply('AGNOTINT value is not an integer')
  end
  if string.find(result.err, 'overflow', 1, true) then
    return redis.error_reply('AGRANGE result out of range')
  end
  return result
end
if result > 9007199254740991 or result < -9007199254740991 then
  if created then redis.call('DEL', KEYS[1]) else redis.call('DECRBY', KEYS[1], ARGV[1]) end
  return redis.error_reply('AGRANGE result out of range')
end
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('GET', KEYS[1])
`);

/** Deletes the key only while it still holds ARGV[1] (a getJson miss must not delete a concurrent rewrite). */
const DELETE_IF_EQUAL = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end
return 0
`);

/**
 * The Cache port on Redis (see port.ts for the semantics). Connects lazily on first use. When Redis is unreachable
 * a call rejects with CacheUnavailableError within about `commandTimeoutMs` at worst (at once when the server
 * refuses connections): the client retries a bounded number of times, then stays idle, failing calls immediately,
 * until `retryAfterMs` have passed and a call probes again. So start-up never waits for Redis, an outage costs
 * callers no latency, and the cache recovers by itself when Redis is back.
 */
export class RedisCache implements Cache {
  private closed = false;
  private readonly availability: RedisAvailability;
  private lastFailure: CacheUnavailableError | undefined;
  private lastError: Error | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    retryAfterMs: number,
    private readonly scanCount: number,
  ) {
    this.availability = new RedisAvailability(retryAfterMs);
  }

  static connect(url: string, options: RedisCacheOptions): RedisCache {
    const { keyPrefix, connectTimeoutMs = 1000, commandTimeoutMs = 250, reconnectAttempts = 3, retryAfterMs = 1000, scanCount = 1000, onError } = options;
    if (typeof keyPrefix !== 'string' || keyPrefix === '') throw new RangeError('keyPrefix must be a non-empty string');
    if (!Number.isSafeInteger(scanCount) || scanCount < 1) throw new RangeError(`scanCount must be a positive integer, got ${scanCount}`);
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      // Queued calls are rejected after every second failed connection attempt instead of waiting for all of them.
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => (times > reconnectAttempts ? null : backoffDelay(cacheReconnect, times)),
      connectionName: 'agencygrid-cache',
    });
    const cache = new RedisCache(redis, keyPrefix, retryAfterMs, scanCount);
    redis.on('error', (error: Error) => {
      cache.lastError = error;
      onError?.(error);
    });
    redis.on('end', () => {
      cache.availability.markUnavailable();
      cache.lastFailure = new CacheUnavailableError(`Redis is unavailable: ${cache.lastError?.message ?? 'connection closed'}`, { cause: cache.lastError });
    });
    return cache;
  }

  async get(key: string): Promise<string | null> {
    return this.run(() => this.redis.get(this.keyPrefix + key));
  }

  async getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
    return this.run(async () => {
      const fullKey = this.keyPrefix + key;
      const raw = await this.redis.get(fullKey);
      if (raw === null) return null;
      const decoded = decodeJson(raw, schema);
      if (decoded) return decoded.value;
      // Best effort: the answer is a miss whether or not the stale value could be removed.
      await this.eval(DELETE_IF_EQUAL, fullKey, [raw]).catch(() => 0);
      return null;
    });
  }

  async set(key: string, value: string, options?: CacheWriteOptions): Promise<void> {
    const ttlMs = ttlOf(options);
    await this.write(key, value, ttlMs);
  }

  async setJson(key: string, value: unknown, options?: CacheWriteOptions): Promise<void> {
    const ttlMs = ttlOf(options);
    await this.write(key, encodeJson(value), ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    return this.run(async () => (await this.redis.unlink(this.keyPrefix + key)) > 0);
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    const pattern = `${escapeGlob(this.keyPrefix + prefix)}*`;
    return this.run(async () => {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', this.scanCount);
        cursor = next;
        // COUNT is a hint: a page can exceed it, so UNLINK in bounded batches. SCAN may repeat a key across pages;
        // UNLINK only counts keys it removed, so a repeat is not counted twice.
        for (let start = 0; start < keys.length; start += this.scanCount) {
          deleted += await this.redis.unlink(...keys.slice(start, start + this.scanCount));
        }
      } while (cursor !== '0');
      return deleted;
    });
  }

  async increment(key: string, by = 1, options?: CacheWriteOptions): Promise<number> {
    checkIncrement(by);
    const ttlMs = ttlOf(options);
    return this.run(async () => {
      try {
        const result = await this.eval(INCREMENT, this.keyPrefix + key, [String(by), ttlMs === undefined ? '' : String(ttlMs)]);
        if (typeof result !== 'string') throw new CacheError(`unexpected increment reply: ${String(result)}`);
        return Number(result);
      } catch (error) {
        if (isReplyError(error) && error.message.includes('AGNOTINT')) throw new CacheValueNotNumericError(key);
        if (isReplyError(error) && error.message.includes('AGRANGE')) throw new CacheCounterOutOfRangeError(key, by);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    this.redis.disconnect();
  }

  private async write(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    await this.run(() => (ttlMs === undefined ? this.redis.set(this.keyPrefix + key, value) : this.redis.set(this.keyPrefix + key, value, 'PX', ttlMs)));
  }

  /**
   * Runs a call, failing fast while Redis is known to be down and mapping failures to the port's errors. A frozen
   * server (connection open, no replies) costs one timeout per `retryAfterMs`, not one per call.
   */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError('cache is closed');
    return this.availability.run(
      async () => {
        // After the reconnection attempts are exhausted the client is idle: the call waits in its offline queue while this connects.
        if (this.redis.status === 'end') this.redis.connect().catch(() => {});
        try {
          return await call();
        } catch (error) {
          throw this.failure(error);
        }
      },
      (failure) => {
        if (!(failure instanceof CacheUnavailableError)) return false;
        this.lastFailure = failure;
        return true;
      },
      () => new CacheUnavailableError(this.lastFailure?.message ?? 'Redis is unavailable', { cause: this.lastFailure }),
    );
  }

  private failure(error: unknown): Error {
    if (error instanceof CacheError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (this.closed) return new CacheUnavailableError('cache is closed', { cause: error });
    if (isReplyError(error)) {
      const code = message.split(' ', 1)[0] ?? '';
      if (OPERATIONAL_ERROR_CODES.has(code)) return new CacheUnavailableError(`Redis refused the call: ${message}`, { cause: error });
      return new CacheError(`Redis error: ${message}`, { cause: error });
    }
    // Anything that is not a reply from the server is about reaching it: refused, reset, timed out, retries exhausted.
    const reason = this.lastError && this.lastError.message !== message ? `${message} (${this.lastError.message})` : message;
    return new CacheUnavailableError(`Redis is unavailable: ${reason}`, { cause: error });
  }

  /** EVALSHA, loading the script with EVAL when the server does not have it (first use, restart, SCRIPT FLUSH). */
  private async eval(script: LuaScript, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(script.sha, 1, key, ...args);
    } catch (error) {
      if (!(isReplyError(error) && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.redis.eval(script.source, 1, key, ...args);
    }
  }
}

/** Makes every character of `text` literal in a Redis glob pattern (MATCH): `*`, `?`, `[`, `]` and `\`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}
