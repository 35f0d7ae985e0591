import type { JsonValue } from '../json-value.ts';
import type { RunnableTool } from './runnable-tool.ts';

/**
 * Why a call did not produce an output. Each is a recorded failure the caller's retry policy sees; none is a crash:
 * `timeout` (killed at its limit), `crashed` (exited non-zero or died on a signal), `output_too_large` (cut off at
 * maxOutputBytes), `bad_output` (not JSON), `unreachable` (connection refused, no responder, DNS), `host_not_allowed`
 * (an HTTP host the org does not allow), `command_not_allowed` (a program the operator does not let tools start), `remote_error` (the tool answered an error), `cancelled` (the signal).
 */
export type ToolFailureCode =
  | 'timeout'
  | 'crashed'
  | 'output_too_large'
  | 'bad_output'
  | 'unreachable'
  | 'host_not_allowed'
  | 'command_not_allowed'
  | 'remote_error'
  | 'cancelled';

export type ToolRunResult = { ok: true; output: JsonValue; durationMs: number } | { ok: false; code: ToolFailureCode; message: string; durationMs: number };

/** One call: the tool, its input (already validated against the tool's input schema), the org and a way to stop it. */
export interface ToolRunRequest {
  tool: RunnableTool;
  input: JsonValue;
  /** The org the call is made in: HTTP hosts and secrets are the org's. */
  orgId: string;
  /** Aborted when the caller gives up or the platform stops; the runner stops the tool and answers `cancelled`. */
  signal: AbortSignal;
}

/**
 * Runs one tool call outside the server process and answers what happened. Never throws for anything the tool does;
 * it throws only for a bug of its own. Adapters: one per endpoint kind (http, nats, mcp, executable).
 */
export interface ToolRunner {
  run(request: ToolRunRequest): Promise<ToolRunResult>;
}
