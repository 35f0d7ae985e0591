import { z } from 'zod';
import { slugSchema } from '../org/fields.ts';
import { boundedJsonObjectSchema } from '../shared/bounded-json.ts';
import { TOOL_SCHEMA_LIMITS } from '../tool/spec.ts';

/*
 * Caps on everything an author can grow. A definition is validated and compiled on every publish and carried whole
 * in its event, so each of these bounds the work of a publish and the size of the event.
 */
export const MAX_STEPS = 200;
/**
 * The whole definition as JSON. Below the policy engine's input limit (64 KiB, domain/policy/cel-input.ts), so a
 * policy condition on `workflow.publish` can always read the whole command.
 */
export const MAX_DEFINITION_CHARS = 60 * 1024;
export const MAX_FAN_OUT = 100;
/** Nesting of structured forms (`sequence(parallel(choice(...)))`), in the JSON and the text form alike. */
export const MAX_FLOW_DEPTH = 16;
export const MAX_FLOW_TEXT = 4000;
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_STEP_INPUTS = 50;
export const MAX_DEPENDENCIES = 50;
/** The longest any one timeout may be; a run that needs longer waits in `wait` steps, which are durable timers. */
export const MAX_TIMEOUT_MS = 30 * 24 * 3_600_000;

/** A definition's name: a slug, one stream per (org, name). */
export const workflowNameSchema = slugSchema;

/**
 * A step's id. An identifier (letters, digits, `_`), not a slug: expressions read a step's output as
 * `steps.<id>.output`, and a dash would read as a minus there.
 */
export const stepIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a step id: letters, digits and _, starting with a letter (at most 64)');

export const expressionSchema = z.string().trim().min(1).max(MAX_EXPRESSION_LENGTH);

const DURATION = /^P(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$/;

/**
 * Milliseconds of an ISO-8601 duration in days, hours, minutes and seconds (`PT30M`, `P1DT12H`), or null. Years,
 * months and weeks are refused: their length depends on the calendar, and a deadline should mean one span of time.
 */
export function durationMs(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return null;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return ((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

export const durationSchema = z.string().refine((text) => {
  const ms = durationMs(text);
  return ms !== null && ms > 0 && ms <= MAX_TIMEOUT_MS;
}, 'an ISO-8601 duration in days, hours, minutes and seconds (e.g. PT30M, P1DT12H), above zero and at most 30 days');

const milliseconds = z.number().int().min(1).max(MAX_TIMEOUT_MS);

/** Temporal's retry policy: attempt n waits min(initial * coefficient^(n-1), max), spread by ±jitter. */
export const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(20).default(3),
    initialIntervalMs: z.number().int().min(1).max(3_600_000).default(1000),
    backoffCoefficient: z.number().min(1).max(10).default(2),
    maxIntervalMs: z
      .number()
      .int()
      .min(1)
      .max(24 * 3_600_000)
      .default(60_000),
    /** The fraction of each interval drawn at random either way, so retries of many runs do not arrive together. */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .refine((retry) => retry.maxIntervalMs >= retry.initialIntervalMs, { message: 'maxIntervalMs is below initialIntervalMs', path: ['maxIntervalMs'] });
export type RetryPolicy = z.infer<typeof retrySchema>;

/** Temporal's activity timeouts; an absent one does not apply. */
export const timeoutsSchema = z.strictObject({
  scheduleToStartMs: milliseconds.optional(),
  startToCloseMs: milliseconds.optional(),
  heartbeatMs: milliseconds.optional(),
});
export type StepTimeouts = z.infer<typeof timeoutsSchema>;

export const runTimeoutSchema = milliseconds;

/** The run's input, described as a tool's input is (same limits: interpreted on validation, never compiled to code). */
export const inputJsonSchemaSchema = boundedJsonObjectSchema(TOOL_SCHEMA_LIMITS);
