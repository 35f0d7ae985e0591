import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../domain/shared/app-error.ts';
import { connectRateLimitRedis, fastifyRateLimitStore } from '../infra/rate-limit/counter.ts';
import type { Platform } from './platform.ts';

/** Probes for orchestrators and load balancers: never refused for being many. */
const UNLIMITED = new Set(['/health', '/ready']);

/** A command changes something; GraphQL (POST /graphql) is a read. */
function isCommand(request: FastifyRequest): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.routeOptions.url !== '/graphql';
}

/**
 * Requests per principal per window (@fastify/rate-limit), reads and commands counted apart. The key is the
 * authenticated principal (the protected scope's authentication hook runs first), never the IP that many principals may
 * share; requests to public routes (no principal) count per client IP. With REDIS_URL the counters live in Redis, so
 * all instances count together. Beyond the limit: 429 RATE_LIMITED in the uniform error shape, with Retry-After.
 */
export async function registerRateLimit(app: FastifyInstance, platform: Platform): Promise<void> {
  const config = platform.config;
  // Redis calls time out and fail fast like the cache's (CACHE_TIMEOUT_MS, CACHE_RETRY_AFTER_MS); a failed one lets the request through.
  const redis = config.REDIS_URL
    ? connectRateLimitRedis(config.REDIS_URL, 'agencygrid-rate-limit', { commandTimeoutMs: config.CACHE_TIMEOUT_MS, retryAfterMs: config.CACHE_RETRY_AFTER_MS })
    : undefined;
  if (redis) app.addHook('onClose', async () => redis.close());
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    max: (_request, key) => (key.endsWith(':command') ? config.RATE_LIMIT_COMMANDS : config.RATE_LIMIT_READS),
    keyGenerator: (request) => {
      const who = request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`;
      return `${who}:${isCommand(request) ? 'command' : 'read'}`;
    },
    allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? ''),
    ...(redis ? { store: fastifyRateLimitStore(redis, `${config.RATE_LIMIT_REDIS_PREFIX}http:`), skipOnError: true } : {}),
    // Thrown by the plugin and answered by the server's error handler, like every AppError (429 via its kind).
    errorResponseBuilder: (request, context) => {
      const kind = isCommand(request) ? 'commands' : 'reads';
      const retryAfterSeconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return Object.assign(
        new Error('rate limited'),
        appError(
          'rate_limited',
          'RATE_LIMITED',
          `too many ${kind}: at most ${context.max} per ${config.RATE_LIMIT_WINDOW_MS} ms; retry after ${retryAfterSeconds} s`,
          {
            limit: kind,
            max: context.max,
            windowMs: config.RATE_LIMIT_WINDOW_MS,
            retryAfterSeconds,
          },
        ),
        { statusCode: context.statusCode },
      );
    },
  });
}
