import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import { toolNameSchema } from '../tool/spec.ts';
import {
  durationMsSchema,
  failureMessageSchema,
  jsonHashSchema,
  recordedOutputSchema,
  runnerIdSchema,
  toolCallFailureCodeSchema,
  toolInputSchema,
} from './fields.ts';

/** Every call command names the call's org as well as the call: a call of another org is as absent as none. */
const callRef = { orgId: uuidSchema, callId: uuidSchema };

export const toolCallCommandSchema = commandUnion({
  /**
   * A governed call of the org's tool `toolName` with `input`. `callId` is the caller's: asking again with the same
   * id and the same call changes nothing (the first request stands), so a retry never calls the tool twice. `taskId`:
   * the task the call is made for; an agent's call for its task is held to the task's contract.
   */
  RequestToolCall: z.strictObject({
    ...callRef,
    toolName: toolNameSchema,
    input: toolInputSchema,
    taskId: uuidSchema.nullable().default(null),
  }),
  /** The platform's runner claims the call before it runs it, so it is run at most once. */
  StartToolCall: z.strictObject({ ...callRef, runnerId: runnerIdSchema }),
  /** The tool answered an output that matches its output schema; `output` is null when it is over the recorded cap. */
  CompleteToolCall: z.strictObject({
    ...callRef,
    output: recordedOutputSchema.nullable(),
    outputHash: jsonHashSchema,
    outputChars: z.number().int().min(0),
    durationMs: durationMsSchema,
  }),
  FailToolCall: z.strictObject({ ...callRef, code: toolCallFailureCodeSchema, message: failureMessageSchema, durationMs: durationMsSchema }),
});
export type ToolCallCommand = z.infer<typeof toolCallCommandSchema>;
export type ToolCallCommandType = ToolCallCommand['type'];

/** The governed actions; the decider needs the act a call is within a contract: a tool used for a task. */
export const toolCallActions: Readonly<Record<ToolCallCommandType, string>> = {
  RequestToolCall: 'tool.invoke',
  StartToolCall: 'tool.call.start',
  CompleteToolCall: 'tool.call.complete',
  FailToolCall: 'tool.call.fail',
};
