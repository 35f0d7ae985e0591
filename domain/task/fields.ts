import { z } from 'zod';
import { boundedJsonSchema, type JsonLimits } from '../shared/bounded-json.ts';

/*
 * Bounds. Together they keep any task command well under the policy engine's input limit (64 KiB serialized, see
 * domain/policy/cel-input.ts), so a policy condition can always read the whole command.
 */
export const TASK_INPUT_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 16, maxEntries: 1_000 };
export const TASK_OUTPUTS_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 16, maxEntries: 1_000 };

export const MIN_HEARTBEAT_TIMEOUT_MS = 1_000;
export const MAX_HEARTBEAT_TIMEOUT_MS = 86_400_000;
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;
export const MAX_ATTEMPTS_LIMIT = 10;
export const DEFAULT_MAX_ATTEMPTS = 3;

export const taskTitleSchema = z.string().trim().min(1).max(200);
export const reasonSchema = z.string().trim().min(1).max(1000);
export const noteSchema = z.string().trim().min(1).max(2000);
export const progressMessageSchema = z.string().trim().min(1).max(1000);
export const toolPurposeSchema = z.string().trim().min(1).max(1000);

/** Percent done, as the assignee reports it. */
export const progressSchema = z.number().min(0).max(100);

/** Attempts are numbered from 1; a task has at most MAX_ATTEMPTS_LIMIT of them. */
export const attemptSchema = z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT);
export const maxAttemptsSchema = z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT);
export const heartbeatTimeoutMsSchema = z.number().int().min(MIN_HEARTBEAT_TIMEOUT_MS).max(MAX_HEARTBEAT_TIMEOUT_MS);

export const reviewVerdictSchema = z.enum(['accept', 'reject']);
export type ReviewVerdict = z.infer<typeof reviewVerdictSchema>;

/** What the task is given to work on: any JSON value (null included). */
export const taskInputSchema = boundedJsonSchema(TASK_INPUT_LIMITS);
/** What the task produced: any JSON value but null. */
export const taskOutputsSchema = boundedJsonSchema(TASK_OUTPUTS_LIMITS).refine((value) => value !== null, 'outputs cannot be null');
