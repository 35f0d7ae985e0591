import { z } from 'zod';
import { boundedJsonSchema, type JsonLimits } from '../shared/bounded-json.ts';
import { canonicalHash } from '../shared/canonical-json.ts';

/*
 * Bounds. A call's input stays well under the policy engine's input limit (64 KiB serialized, see
 * domain/policy/cel-input.ts), so a `tool.invoke` condition always sees the whole input; the output recorded in the
 * log is capped (a larger one is recorded by its hash and size only: the log is an audit, not a blob store).
 */
export const TOOL_INPUT_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 16, maxEntries: 1_000 };
export const RECORDED_OUTPUT_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 32, maxEntries: 1_000 };

export const toolInputSchema = boundedJsonSchema(TOOL_INPUT_LIMITS);
export const recordedOutputSchema = boundedJsonSchema(RECORDED_OUTPUT_LIMITS);

/** A SHA-256 of a value's canonical JSON, hex: the same for the same content, whatever the order of its keys. */
export const jsonHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256, hex');
export const jsonHash: (value: unknown) => string = canonicalHash;

/**
 * Why a call produced no output: a runner's failure (infra/tool-runners/port.ts's ToolFailureCode, kept equal to
 * these by a type check in the tool-call process), an output that does not match the tool's output schema, or a run
 * that was cut short by the platform stopping (`interrupted`: never run again, see processes/tools/).
 */
export const toolCallFailureCodeSchema = z.enum([
  'timeout',
  'crashed',
  'output_too_large',
  'bad_output',
  'unreachable',
  'host_not_allowed',
  'command_not_allowed',
  'remote_error',
  'cancelled',
  'invalid_output',
  'interrupted',
]);
export type ToolCallFailureCode = z.infer<typeof toolCallFailureCodeSchema>;

export const failureMessageSchema = z.string().trim().min(1).max(2000);
export const durationMsSchema = z
  .number()
  .int()
  .min(0)
  .max(24 * 3_600_000);
/** The platform instance that runs a call: its runner claims the call under this id. */
export const runnerIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'letters, digits, _ . : and -, at most 200 characters');

/**
 * A started call is the runner's until its lease ends (its timeout and this grace); after that, a call found started
 * and unfinished is failed as `interrupted` by whichever instance finds it.
 */
export const RUN_LEASE_GRACE_MS = 2_000;

export const toolCallStatusSchema = z.enum(['requested', 'started', 'succeeded', 'failed']);
export type ToolCallStatus = z.infer<typeof toolCallStatusSchema>;
