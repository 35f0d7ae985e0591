import { createRequire } from 'node:module';
import { Redis } from 'ioredis';

/**
 * Fixed-window request counters, shared by the HTTP API's rate limit (@fastify/rate-limit) and the agents' bus
 * gateway: the same library's stores, in process or in Redis (REDIS_URL), so every instance of the platform counts
 * one principal's requests together.
 */

interface StoreResult {
  current: number;
  ttl: number;
}
interface Store {
  incr(key: string, callback: (error: Error | null, result: StoreResult) => void, timeWindow: number, max: number): void;
}
// The stores @fastify/rate-limit itself uses (no types of their own; the constructor shapes are theirs).
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string) => Store;

/**
 * A Redis connection for counters, with short timeouts: a command waits for the connection being (re)established
 * at most `commandTimeout`, then the counter is skipped (the request is let through).
 */
export function connectRateLimitRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 5000),
    connectionName: name,
  });
  // Reported by the failed calls (which are let through); an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

export interface RateDecision {
  allowed: boolean;
  max: number;
  /** Until the window resets. */
  retryAfterMs: number;
}

export interface RateCounterOptions {
  max: number;
  windowMs: number;
  /** Redis keys are `<keyPrefix><key>`; in process this only separates nothing. */
  keyPrefix: string;
  redis?: Redis;
}

export class RateCounter {
  private readonly store: Store;

  constructor(private readonly options: RateCounterOptions) {
    this.store = options.redis ? new RedisStore(false, false, options.redis, options.keyPrefix) : new LocalStore(false, false, 10_000);
  }

  /**
   * Counts one request for `key`. A store that cannot be reached lets the request through (availability over a
   * counter; the server-side caps on streams and cost still hold).
   */
  hit(key: string): Promise<RateDecision> {
    const { max, windowMs } = this.options;
    return new Promise((resolve) => {
      this.store.incr(
        key,
        (error, result) => {
          if (error) resolve({ allowed: true, max, retryAfterMs: 0 });
          else resolve({ allowed: result.current <= max, max, retryAfterMs: Math.max(0, result.ttl) });
        },
        windowMs,
        max,
      );
    });
  }
}
