import { backoffDelay } from '../retry/backoff.ts';
import { rateLimitReconnect } from '../retry/policies.ts';
import { createRequire } from 'node:module';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { RedisAvailability } from '../redis/availability.ts';

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
  incr(key: string, callback: (error: Error | null, result?: StoreResult) => void, timeWindow: number, max: number): void;
  child(routeOptions: never): Store;
}
// The stores @fastify/rate-limit itself uses (no types of their own; the constructor shapes are theirs).
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key?: string,
) => Store;

export interface RateLimitRedisOptions {
  /** A counter call with no answer after this long counts as Redis unavailable (CACHE_TIMEOUT_MS). Default 250 ms. */
  commandTimeoutMs?: number;
  /** After Redis was found unavailable, counter calls fail at once for this long, then one probes (CACHE_RETRY_AFTER_MS). Default 1,000 ms. */
  retryAfterMs?: number;
}

/**
 * A Redis connection for counters, with the cache's unavailability handling (infra/redis/availability.ts): a call
 * times out after `commandTimeoutMs`, and once Redis was found unavailable (lost, refused, or frozen) calls fail at
 * once for `retryAfterMs` before one probes again. A failed call lets the request through, so an outage neither
 * rate-limits nor slows requests.
 */
export interface RateLimitRedis {
  readonly redis: Redis;
  readonly availability: RedisAvailability;
  close(): void;
}

export function connectRateLimitRedis(url: string, name: string, options: RateLimitRedisOptions = {}): RateLimitRedis {
  const { commandTimeoutMs = 250, retryAfterMs = 1000 } = options;
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 1000,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => backoffDelay(rateLimitReconnect, times),
    connectionName: name,
  });
  // Reported by the failed calls (which are let through); an unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  const availability = new RedisAvailability(retryAfterMs);
  redis.on('end', () => availability.markUnavailable());
  return { redis, availability, close: () => redis.disconnect() };
}

/** A store whose calls go through `availability`: while Redis is known to be down, `incr` fails at once. */
class FailFastStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly availability: RedisAvailability,
  ) {}

  incr(key: string, callback: (error: Error | null, result?: StoreResult) => void, timeWindow: number, max: number): void {
    this.availability
      .run(
        () =>
          new Promise<StoreResult>((resolve, reject) =>
            this.inner.incr(key, (error, result) => (error || !result ? reject(error ?? new Error('no counter')) : resolve(result)), timeWindow, max),
          ),
        // Any failure of a counter means "let the request through"; count it as unavailability (fail fast, then probe).
        () => true,
        () => new Error('Redis is unavailable (rate counters fail fast until a probe answers)'),
      )
      .then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
  }

  child(routeOptions: never): Store {
    return new FailFastStore(this.inner.child(routeOptions), this.availability);
  }
}

/** The Redis store of @fastify/rate-limit (its `store` option) over `connection`, failing fast while Redis is down. */
export function fastifyRateLimitStore(connection: RateLimitRedis, nameSpace: string) {
  return class extends FailFastStore {
    constructor(params: { continueExceeding?: boolean; exponentialBackoff?: boolean }) {
      super(new RedisStore(params.continueExceeding ?? false, params.exponentialBackoff ?? false, connection.redis, nameSpace), connection.availability);
    }
  } as unknown as FastifyRateLimitStoreCtor;
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
  redis?: RateLimitRedis;
}

export class RateCounter {
  private readonly store: Store;

  constructor(private readonly options: RateCounterOptions) {
    this.store = options.redis
      ? new FailFastStore(new RedisStore(false, false, options.redis.redis, options.keyPrefix), options.redis.availability)
      : new LocalStore(false, false, 10_000);
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
          if (error || !result) resolve({ allowed: true, max, retryAfterMs: 0 });
          else resolve({ allowed: result.current <= max, max, retryAfterMs: Math.max(0, result.ttl) });
        },
        windowMs,
        max,
      );
    });
  }
}
