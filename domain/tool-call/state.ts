import type { JsonValue } from '../shared/json-value.ts';
import type { Principal } from '../shared/principal.ts';
import type { ToolCallFailureCode, ToolCallStatus } from './fields.ts';

export type ToolCallOutcome =
  | { kind: 'succeeded'; output: JsonValue | null; outputHash: string; outputChars: number; durationMs: number; at: string }
  | { kind: 'failed'; code: ToolCallFailureCode; message: string; durationMs: number; at: string };

export interface ToolCall {
  callId: string;
  orgId: string;
  toolId: string;
  toolName: string;
  /** The tool's version the call is pinned to. */
  version: number;
  input: JsonValue;
  inputHash: string;
  taskId: string | null;
  contractId: string | null;
  timeoutMs: number;
  requestedBy: Principal;
  requestedAt: string;
  status: ToolCallStatus;
  /** Set when a runner claims it: who, and until when the call is its. */
  run: { runnerId: string; leaseUntil: string; startedAt: string } | null;
  outcome: ToolCallOutcome | null;
}

/** `null` until the call is requested. */
export type ToolCallState = ToolCall | null;

export const initialToolCallState: ToolCallState = null;

export const isFinishedToolCall = (call: ToolCall): boolean => call.outcome !== null;
