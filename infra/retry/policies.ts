import type { BackoffPolicy } from './backoff.ts';

/**
 * Every backoff of the platform, by what it waits for. Each keeps the bounds it had when it was written inline
 * (some are pinned by tests: the outage waits, the saga's retries).
 */

/** A command lost the race for its stream's revision: a few ms, fully jittered, so racing processes spread out. */
export const contendedAppend: BackoffPolicy = { firstMs: 2, jitter: 'full' };

/** A follower (projection, saga) waits out a dependency's outage for as long as it lasts: capped, so it resumes soon after. */
export const dependencyOutage = (minMs: number, maxMs: number): BackoffPolicy => ({ firstMs: minMs, maxMs: Math.max(minMs, maxMs), jitter: 'none' });

/** A saga step failed with something other than an outage: a few tries, then the event is dead-lettered. */
export const sagaStep = (firstMs: number): BackoffPolicy => ({ firstMs, maxDoublings: 8, maxMs: 10_000, jitter: 'none' });

/** The fan-out of the log to the bus could not publish an event (or ensure its stream): it tries the same event again. */
export const fanoutResubscribe = (minMs: number, maxMs: number): BackoffPolicy => ({ firstMs: minMs, maxMs, jitter: 'none' });

/** The cache's Redis connection dropped: ioredis reconnects this many ms later, a bounded number of times. */
export const cacheReconnect: BackoffPolicy = { firstMs: 100, maxMs: 2_000, jitter: 'none' };

/** The rate limiter's Redis connection dropped: ioredis reconnects for as long as it takes. */
export const rateLimitReconnect: BackoffPolicy = { firstMs: 200, maxDoublings: 4, maxMs: 5_000, jitter: 'none' };

/** An agent's inbox stream dropped: it reconnects, half-to-full jittered, from the server's `retry` when longer. */
export const inboxReconnect = (firstMs: number, maxMs: number): BackoffPolicy => ({ firstMs, maxMs, maxDoublings: 20, jitter: 'half' });

/** A task attempt failed with attempts left: the next dispatch is scheduled (a timer, in the log) this much later. */
export const taskRetry = (firstMs: number): BackoffPolicy => ({ firstMs, jitter: 'none' });

/** A tool call's claim or outcome could not be recorded (an outage): a few tries, then the next start sees it interrupted. */
export const toolCallRecord: BackoffPolicy = { firstMs: 200, maxMs: 1_000, jitter: 'half' };
