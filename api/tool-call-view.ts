import { z } from 'zod';
import type { StreamReader } from '../commands/stream-loader.ts';
import { toolCallDecider } from '../domain/tool-call/decider.ts';
import { toolCallStream } from '../domain/tool-call/events.ts';
import type { ToolCall } from '../domain/tool-call/state.ts';
import { principalReply } from './openapi/responses.ts';

/** A tool call as the API answers it: the request, and its outcome once there is one. */
export const toolCallReply = {
  callId: z.uuid(),
  orgId: z.uuid(),
  toolName: z.string(),
  version: z.int().describe('the version of the tool the call is pinned to'),
  status: z.enum(['requested', 'started', 'succeeded', 'failed']),
  input: z.unknown(),
  inputHash: z.string().describe('SHA-256 of the canonical JSON of the input'),
  taskId: z.uuid().nullable(),
  contractId: z.uuid().nullable().describe('the contract the call was checked against'),
  requestedBy: principalReply,
  requestedAt: z.string(),
  startedAt: z.string().nullable(),
  output: z.unknown().optional().describe('succeeded: the output (null when over the 32 KiB recorded)'),
  outputHash: z.string().optional(),
  outputChars: z.int().optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional().describe('failed: why'),
  durationMs: z.int().nullable(),
  finishedAt: z.string().nullable(),
};

export function toolCallView(call: ToolCall) {
  const { callId, orgId, toolName, version, status, input, inputHash, taskId, contractId, requestedBy, requestedAt, run, outcome } = call;
  const base = { callId, orgId, toolName, version, status, input, inputHash, taskId, contractId, requestedBy, requestedAt, startedAt: run?.startedAt ?? null };
  if (outcome === null) return { ...base, durationMs: null, finishedAt: null };
  if (outcome.kind === 'failed')
    return { ...base, failure: { code: outcome.code, message: outcome.message }, durationMs: outcome.durationMs, finishedAt: outcome.at };
  const { output, outputHash, outputChars, durationMs, at } = outcome;
  return { ...base, output, outputHash, outputChars, durationMs, finishedAt: at };
}

/** The longest a request waits for its call's outcome before it answers 202 with the call's id. */
export const MAX_CALL_WAIT_MS = 15_000;
/** Past the tool's timeout, the time a request waits on: the process's own deadline on a run is the timeout and 1 s. */
export const CALL_WAIT_GRACE_MS = 1_000;

/**
 * The call once it has an outcome, or as it is when `waitMs` ran out (read again at a growing interval: the outcome
 * is appended by the tool-call process, whichever instance runs it).
 */
export async function callOutcome(reader: StreamReader, callId: string, waitMs: number): Promise<ToolCall | null> {
  const deadline = Date.now() + waitMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const call = (await reader.load(toolCallDecider, toolCallStream(callId))).state;
    if (call === null || call.outcome !== null || Date.now() >= deadline) return call;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
  }
}
