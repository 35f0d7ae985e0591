import { z } from 'zod';
import { boundedJsonObjectSchema, type JsonLimits } from '../shared/bounded-json.ts';

/**
 * What a timer carries back to whoever scheduled it: a small JSON object (e.g. `{jobId, round}`), bounded so that a
 * timer command stays far below the policy engine's input limit and the schedule a TimerService keeps in memory stays
 * small.
 */
export const TIMER_REF_LIMITS: JsonLimits = { maxChars: 2 * 1024, maxDepth: 4, maxEntries: 32 };
export const timerRefSchema = boundedJsonObjectSchema(TIMER_REF_LIMITS);

export const MAX_PURPOSE_LENGTH = 100;

/**
 * What the timer is for, as a dotted lowercase name (`auction.close`, `task.heartbeat_timeout`): the saga that reacts
 * to TimerFired picks its timers by it.
 */
export const timerPurposeSchema = z
  .string()
  .max(MAX_PURPOSE_LENGTH)
  .regex(/^[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)*$/, 'a dotted lowercase name, e.g. auction.close');
