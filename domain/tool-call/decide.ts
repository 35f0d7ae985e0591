import { orgNotFound } from '../org/not-found.ts';
import type { OrgStatus } from '../org/state.ts';
import { appError, isAppError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { actsForThePlatform, type Principal } from '../shared/principal.ts';
import type { ContractTerms } from '../task/contract-terms.ts';
import { onlyTheAssignee, withinContract } from '../task/decide.ts';
import type { Task } from '../task/state.ts';
import { taskTransitions } from '../task/transitions.ts';
import { valueIssues } from '../tool/json-schema.ts';
import type { Tool } from '../tool/state.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';
import type { ToolCallCommand } from './commands.ts';
import type { ToolCallEvent } from './events.ts';
import { RUN_LEASE_GRACE_MS, jsonHash } from './fields.ts';
import { TOOL_CALL_RATE_WINDOW_MS } from './rate.ts';
import type { ToolCall, ToolCallState } from './state.ts';

/**
 * What a request is decided with beyond the call's own stream; the handler loads it for RequestToolCall only.
 * `undefined` is "not loaded" and refuses the request, never waves it through.
 */
export interface ToolCallDecisionContext extends DecisionContext {
  /** null: the org does not exist. Calls are made in active orgs only. */
  orgStatus?: OrgStatus | null;
  /** The org's tool of the requested name; null: none. */
  tool?: Tool | null;
  /** The task the call names, when it names one; null: no such task. */
  task?: Task | null;
  /** The terms of that task's contract, for a subject's call (null: the contract does not exist). */
  contract?: ContractTerms | null;
  /** The org's calls in the last minute (this one not counted) and its limit. */
  rate?: { calls: number; maxPerMinute: number };
}

export function decideToolCall(command: ToolCallCommand, state: ToolCallState, context: ToolCallDecisionContext): readonly ToolCallEvent[] | AppError {
  const { callId, orgId } = command.data;
  const { principal, now } = context;
  if (command.type === 'RequestToolCall') return decideRequest(command.data, state, context);

  // A call of another org is as absent as one that does not exist: naming the wrong org reveals nothing.
  if (state === null || state.orgId !== orgId)
    return appError('not_found', 'TOOL_CALL_NOT_FOUND', `org ${orgId} has no tool call ${callId}`, { callId, orgId });
  // Running a call and recording what it did are the platform's: an outcome is observed, never claimed.
  if (!actsForThePlatform(principal)) {
    return appError('forbidden', 'PLATFORM_ONLY', `only the platform runs tool call ${callId} and records its outcome`, { callId, principal: principal.id });
  }
  const ref = { callId, orgId, toolName: state.toolName, version: state.version };
  switch (command.type) {
    case 'StartToolCall': {
      if (state.status !== 'requested') {
        return appError('conflict', 'TOOL_CALL_ALREADY_STARTED', `tool call ${callId} is ${state.status}; it runs once`, {
          callId,
          status: state.status,
          runnerId: state.run?.runnerId ?? null,
        });
      }
      const leaseUntil = new Date(Date.parse(now) + state.timeoutMs + RUN_LEASE_GRACE_MS).toISOString();
      return [{ type: 'ToolCallStarted', data: { ...ref, runnerId: command.data.runnerId, leaseUntil, startedAt: now } }];
    }
    case 'CompleteToolCall': {
      // The first outcome stands: a late runner's answer after the call was failed (interrupted) changes nothing.
      if (state.outcome !== null) return [];
      if (state.status !== 'started') return illegal(state, command.type);
      const { output, outputHash, outputChars, durationMs } = command.data;
      return [{ type: 'ToolCallSucceeded', data: { ...ref, output, outputHash, outputChars, durationMs, completedAt: now } }];
    }
    case 'FailToolCall': {
      if (state.outcome !== null) return [];
      const { code, message, durationMs } = command.data;
      return [{ type: 'ToolCallFailed', data: { ...ref, code, message, durationMs, failedAt: now } }];
    }
  }
}

function decideRequest(
  data: Extract<ToolCallCommand, { type: 'RequestToolCall' }>['data'],
  state: ToolCallState,
  context: ToolCallDecisionContext,
): readonly ToolCallEvent[] | AppError {
  const { callId, orgId, toolName, input, taskId } = data;
  const { principal, now } = context;
  const inputHash = jsonHash(input);
  if (state !== null) {
    // The caller's id makes the request idempotent: the same call again is the call already made.
    if (state.orgId === orgId && state.toolName === toolName && state.inputHash === inputHash && state.requestedBy.id === principal.id) return [];
    return appError('conflict', 'TOOL_CALL_ID_IN_USE', `tool call ${callId} was already requested, for another call`, { callId });
  }
  if (context.orgStatus === undefined || context.orgStatus === null) return orgNotFound(orgId);
  if (context.orgStatus !== 'active') {
    return appError('conflict', 'ORG_NOT_ACTIVE', `org ${orgId} is ${context.orgStatus}; its tools are not called`, { orgId, status: context.orgStatus });
  }
  const { tool } = context;
  if (tool === undefined || tool === null || tool.orgId !== orgId)
    return appError('not_found', 'TOOL_NOT_FOUND', `org ${orgId} has no tool ${toolName}`, { orgId, toolName });
  if (tool.status === 'retired') return appError('conflict', 'TOOL_RETIRED', `tool ${toolName} of org ${orgId} is retired`, { orgId, toolName });
  const issues = valueIssues(tool.spec.inputSchema, input).map((issue) => ({ path: ['input', ...issue.path], message: issue.message }));
  if (issues.length > 0) {
    const first = issues[0];
    const where = first === undefined ? '' : `: ${first.path.join('.')}: ${first.message}`;
    return appError('invalid', 'TOOL_INPUT_INVALID', `the input does not match the input schema of tool ${toolName} (version ${tool.version})${where}`, {
      toolName,
      version: tool.version,
      issues,
    });
  }
  const contractId = taskId === null ? null : taskRefusalOrContract(taskId, orgId, toolName, principal, context);
  if (isAppError(contractId)) return contractId;
  const { rate } = context;
  if (rate === undefined) return appError('unavailable', 'RATE_UNKNOWN', `the tool calls of org ${orgId} could not be counted; retry later`, { orgId });
  if (rate.calls >= rate.maxPerMinute) {
    return appError('rate_limited', 'TOOL_RATE_EXCEEDED', `org ${orgId} made ${rate.calls} tool calls in the last minute (its limit is ${rate.maxPerMinute})`, {
      orgId,
      calls: rate.calls,
      maxPerMinute: rate.maxPerMinute,
      windowMs: TOOL_CALL_RATE_WINDOW_MS,
    });
  }
  return [
    {
      type: 'ToolCallRequested',
      data: {
        callId,
        orgId,
        toolId: tool.toolId,
        toolName,
        version: tool.version,
        input,
        inputHash,
        taskId,
        contractId,
        timeoutMs: tool.spec.timeoutMs,
        requestedBy: principal,
        requestedAt: now,
      },
    },
  ];
}

/**
 * A call for a task: the task must be the org's. A subject calls for its own task only, while an attempt runs, and
 * within the task's contract, exactly as its UseTool would be (the same check, the same CONTRACT_VIOLATION, which the
 * caller records as a breach). Answers the contract the call was checked against (null: none), or the refusal.
 */
function taskRefusalOrContract(
  taskId: string,
  orgId: string,
  toolName: string,
  principal: Principal,
  context: ToolCallDecisionContext,
): string | null | AppError {
  const { task } = context;
  if (task === undefined || task === null || task.orgId !== orgId)
    return appError('not_found', 'TASK_NOT_FOUND', `org ${orgId} has no task ${taskId}`, { taskId, orgId });
  if (principal.kind !== 'subject') return null;
  const refused =
    onlyTheAssignee(task, principal) ??
    (taskTransitions[task.status].UseTool === undefined ? illegalTransition('a task', { taskId }, task.status, 'UseTool') : undefined) ??
    withinContract(task, principal, context, 'UseTool', toolName);
  return refused ?? task.contractId;
}

function illegal(call: ToolCall, command: ToolCallCommand['type']): AppError {
  return illegalTransition('a tool call', { callId: call.callId }, call.status, command);
}
