import { isAppError } from '../../domain/shared/app-error.ts';
import type { ToolCallCommand } from '../../domain/tool-call/commands.ts';
import { RECORDED_OUTPUT_LIMITS, jsonHash, type ToolCallFailureCode } from '../../domain/tool-call/fields.ts';
import { jsonProblem } from '../../domain/shared/bounded-json.ts';
import { valueIssues } from '../../domain/tool/json-schema.ts';
import type { ToolSpec } from '../../domain/tool/spec.ts';
import type { ToolFailureCode, ToolRunResult } from '../../infra/tool-runners/port.ts';

// Every code a runner answers is one a call records: a code added to the port without a place here fails to compile.
const runnerCodes: Record<ToolFailureCode, ToolCallFailureCode> = {
  timeout: 'timeout',
  crashed: 'crashed',
  output_too_large: 'output_too_large',
  bad_output: 'bad_output',
  unreachable: 'unreachable',
  host_not_allowed: 'host_not_allowed',
  command_not_allowed: 'command_not_allowed',
  remote_error: 'remote_error',
  cancelled: 'cancelled',
};

type Outcome = Extract<ToolCallCommand, { type: 'CompleteToolCall' | 'FailToolCall' }>;

const MAX_MESSAGE_CHARS = 2_000;
const messageOf = (text: string) => (text.trim() === '' ? 'no message' : text.trim().slice(0, MAX_MESSAGE_CHARS));

/**
 * The command that records what a run did: the output when it matches the tool's output schema (kept whole in the log
 * up to the recorded cap, by its hash and size above it), else the failure. Pure.
 */
export function outcomeOf(ref: { orgId: string; callId: string }, spec: ToolSpec, result: ToolRunResult): Outcome {
  const durationMs = Math.max(0, Math.min(Math.round(result.durationMs), 24 * 3_600_000));
  if (!result.ok) return { type: 'FailToolCall', data: { ...ref, code: runnerCodes[result.code], message: messageOf(result.message), durationMs } };
  const issues = valueIssues(spec.outputSchema, result.output);
  if (issues.length > 0) {
    const listed = issues.map((issue) => `${issue.path.length === 0 ? '(output)' : issue.path.join('.')}: ${issue.message}`).join('; ');
    return {
      type: 'FailToolCall',
      data: { ...ref, code: 'invalid_output', message: messageOf(`the output does not match the output schema: ${listed}`), durationMs },
    };
  }
  const outputChars = JSON.stringify(result.output).length;
  const recorded = jsonProblem(result.output, RECORDED_OUTPUT_LIMITS) === null ? result.output : null;
  return { type: 'CompleteToolCall', data: { ...ref, output: recorded, outputHash: jsonHash(result.output), outputChars, durationMs } };
}

/** A runner that threw broke its own contract (it answers failures as values): the call failed, as `crashed`. */
export function thrownResult(error: unknown, durationMs: number): ToolRunResult {
  const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
  return { ok: false, code: 'crashed', message: `the tool runner failed: ${message}`, durationMs };
}
