import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { principalSchema } from '../shared/principal.ts';
import { toolVersionSchema } from '../tool/fields.ts';
import { toolNameSchema } from '../tool/spec.ts';
import { durationMsSchema, jsonHashSchema, recordedOutputSchema, runnerIdSchema, toolCallFailureCodeSchema, toolInputSchema } from './fields.ts';

const callRef = { callId: z.uuid(), orgId: z.uuid(), toolName: toolNameSchema, version: toolVersionSchema };

const toolCallRequestedData = z.object({
  ...callRef,
  toolId: z.uuid(),
  input: toolInputSchema,
  inputHash: jsonHashSchema,
  taskId: z.uuid().nullable(),
  /** The contract the call was checked against; null: none (no task, a task under no contract, the platform's call). */
  contractId: z.uuid().nullable(),
  /** The tool's timeout at this version, so the runner's lease is known from the call alone. */
  timeoutMs: z.number().int().min(1),
  requestedBy: principalSchema,
  requestedAt: z.iso.datetime(),
});
const toolCallStartedData = z.object({ ...callRef, runnerId: runnerIdSchema, leaseUntil: z.iso.datetime(), startedAt: z.iso.datetime() });
const toolCallSucceededData = z.object({
  ...callRef,
  output: recordedOutputSchema.nullable(),
  outputHash: jsonHashSchema,
  outputChars: z.number().int().min(0),
  durationMs: durationMsSchema,
  completedAt: z.iso.datetime(),
});
const toolCallFailedData = z.object({
  ...callRef,
  code: toolCallFailureCodeSchema,
  message: z.string(),
  durationMs: durationMsSchema,
  failedAt: z.iso.datetime(),
});

export const toolCallEventDefinitions = version1Definitions({
  ToolCallRequested: toolCallRequestedData,
  ToolCallStarted: toolCallStartedData,
  ToolCallSucceeded: toolCallSucceededData,
  ToolCallFailed: toolCallFailedData,
});

export type ToolCallEvent = EventUnion<typeof toolCallEventDefinitions>;
export type ToolCallRequested = Extract<ToolCallEvent, { type: 'ToolCallRequested' }>;

/** One stream per call: `toolcall-<callId>`, its request and then its outcome. */
export const toolCallStream = (callId: string) => `toolcall-${callId}`;
