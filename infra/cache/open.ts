import type { Config } from '../config/env.ts';
import { MemoryCache } from './memory.ts';
import type { Cache } from './port.ts';

/** Namespace of the platform's keys on a shared Redis. */
export const DEFAULT_CACHE_KEY_PREFIX = 'agencygrid:';

/** Redis when REDIS_URL is set (connecting lazily: start-up never waits for it), otherwise the in-process LRU. */
export async function openCache(
  config: Pick<Config, 'REDIS_URL'> & Partial<Pick<Config, 'CACHE_TIMEOUT_MS' | 'CACHE_RETRY_AFTER_MS'>>,
  options: { keyPrefix?: string } = {},
): Promise<{ cache: Cache; description: string }> {
  const keyPrefix = options.keyPrefix ?? DEFAULT_CACHE_KEY_PREFIX;
  if (config.REDIS_URL) {
    const { RedisCache } = await import('./redis.ts');
    const timing = {
      ...(config.CACHE_TIMEOUT_MS === undefined ? {} : { commandTimeoutMs: config.CACHE_TIMEOUT_MS }),
      ...(config.CACHE_RETRY_AFTER_MS === undefined ? {} : { retryAfterMs: config.CACHE_RETRY_AFTER_MS }),
    };
    return { cache: RedisCache.connect(config.REDIS_URL, { keyPrefix, ...timing }), description: `Redis (keys under '${keyPrefix}')` };
  }
  return { cache: new MemoryCache(), description: 'in-process LRU' };
}
