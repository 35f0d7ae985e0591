import { describe, expect, it } from 'vitest';
import { ToolCallRateWindow } from '../../commands/tool-call-rate.ts';
import { RUN_LEASE_GRACE_MS, jsonHash } from '../../domain/tool-call/fields.ts';
import { toolCallDecider } from '../../domain/tool-call/decider.ts';
import type { ToolCallEvent } from '../../domain/tool-call/events.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import { historyTo, taskAfter, termsWith, activeTerms, taskId, contractId } from '../support/task-fixtures.ts';
import {
  admin,
  assignee,
  callId,
  callRequested,
  callSpec as spec,
  callContext,
  callStarted,
  now,
  orgId,
  requestCall,
  stranger,
  system,
  toolAfter,
  toolName,
  toolRegistered,
  toolRetired,
} from '../support/tool-fixtures.ts';

const inProgress = taskAfter(historyTo.in_progress);
const stateAfter = (events: readonly ToolCallEvent[]) => events.reduce(toolCallDecider.evolve, toolCallDecider.initialState);

describe('RequestToolCall', () => {
  it("records who asked, the tool's current version, the input and its hash", () => {
    spec.given([]).when(requestCall()).thenEvents([callRequested()]);
  });

  it('refuses an unknown tool and a retired one', () => {
    spec.given([]).when(requestCall(), { tool: null }).thenError('TOOL_NOT_FOUND', { toolName });
    spec
      .given([])
      .when(requestCall(), { tool: toolAfter([toolRegistered(), toolRetired()]) })
      .thenError('TOOL_RETIRED');
  });

  it('refuses input that does not match the input schema, each problem at its path under input', () => {
    spec
      .given([])
      .when(requestCall({ input: { query: 'x'.repeat(101), extra: 1 } }))
      .thenError('TOOL_INPUT_INVALID', {
        issues: expect.arrayContaining([
          { path: ['input', 'query'], message: expect.stringContaining('too long') },
          expect.objectContaining({ path: ['input', 'extra'] }),
        ]),
      });
    spec
      .given([])
      .when(requestCall({ input: 'a string' }))
      .thenError('TOOL_INPUT_INVALID');
  });

  it('refuses past the rate limit, and a request whose count is unknown', () => {
    spec
      .given([])
      .when(requestCall(), { rate: { calls: 10, maxPerMinute: 10 } })
      .thenError('TOOL_RATE_EXCEEDED', { calls: 10, maxPerMinute: 10 });
    spec
      .given([])
      .when(requestCall(), { rate: { calls: 9, maxPerMinute: 10 } })
      .thenTypes(['ToolCallRequested']);
    spec.given([]).when(requestCall(), { rate: undefined }).thenError('RATE_UNKNOWN');
  });

  it('is made in active orgs only', () => {
    spec.given([]).when(requestCall(), { orgStatus: 'archived' }).thenError('ORG_NOT_ACTIVE');
    spec.given([]).when(requestCall(), { orgStatus: null }).thenError('ORG_NOT_FOUND');
  });

  it('is idempotent by call id: the same call again changes nothing, another call under that id is refused', () => {
    spec.given([callRequested()]).when(requestCall()).thenNothing();
    spec
      .given([callRequested()])
      .when(requestCall({ input: { query: 'something else' } }))
      .thenError('TOOL_CALL_ID_IN_USE', { callId });
    spec.given([callRequested()]).when(requestCall(), { principal: stranger }).thenError('TOOL_CALL_ID_IN_USE');
  });
});

describe("an agent's call for its task, held to the task's contract", () => {
  const forTask = requestCall({ taskId });
  const asAssignee = { principal: assignee, task: inProgress, contract: activeTerms };

  it('is made within the contract: the contract is recorded with the call', () => {
    spec
      .given([])
      .when(forTask, asAssignee)
      .thenEvents([callRequested(assignee, { taskId, contractId })]);
  });

  it('a tool the contract does not permit is a CONTRACT_VIOLATION naming the clause', () => {
    spec
      .given([])
      .when(forTask, { ...asAssignee, contract: termsWith({ permittedTools: ['other.tool'] }) })
      .thenError('CONTRACT_VIOLATION', { taskId, contractId, clause: 'permittedTools', tool: toolName });
    spec
      .given([])
      .when(forTask, { ...asAssignee, contract: termsWith({ permittedActions: ['task.progress'] }) })
      .thenError('CONTRACT_VIOLATION', { clause: 'permittedActions', action: 'task.tool.use' });
  });

  it('a contract not in force, or not found, refuses the call', () => {
    spec
      .given([])
      .when(forTask, { ...asAssignee, contract: termsWith({ status: 'terminated' }) })
      .thenError('CONTRACT_NOT_ACTIVE');
    spec
      .given([])
      .when(forTask, { ...asAssignee, contract: null })
      .thenError('CONTRACT_NOT_FOUND');
  });

  it("only the task's assignee calls for it, while an attempt runs", () => {
    spec
      .given([])
      .when(forTask, { ...asAssignee, principal: stranger })
      .thenError('NOT_THE_ASSIGNEE');
    spec
      .given([])
      .when(forTask, { ...asAssignee, task: taskAfter(historyTo.completed) })
      .thenError('ILLEGAL_TRANSITION');
    spec
      .given([])
      .when(forTask, { ...asAssignee, task: null })
      .thenError('TASK_NOT_FOUND', { taskId });
  });

  it("the platform's call for a task is not the assignee's act: no contract applies", () => {
    spec
      .given([])
      .when(forTask, { principal: system, task: inProgress })
      .thenEvents([callRequested(system, { taskId, contractId: null })]);
  });
});

describe('the outcome of a call: recorded by the platform, once', () => {
  const ref = { orgId, callId };
  const start = { type: 'StartToolCall' as const, data: { ...ref, runnerId: 'runner-a' } };
  const complete = {
    type: 'CompleteToolCall' as const,
    data: { ...ref, output: { hits: [] }, outputHash: jsonHash({ hits: [] }), outputChars: 11, durationMs: 12 },
  };
  const fail = { type: 'FailToolCall' as const, data: { ...ref, code: 'interrupted' as const, message: 'the platform stopped while it ran', durationMs: 0 } };

  it('a runner claims a requested call, with a lease of its timeout and a grace', () => {
    const decided = toolCallDecider.decide(start, stateAfter([callRequested()]), { ...callContext, principal: system });
    if (isAppError(decided)) throw new Error(decided.message);
    const [started] = decided;
    if (started?.type !== 'ToolCallStarted') throw new Error('expected ToolCallStarted');
    expect(started.data.runnerId).toBe('runner-a');
    expect(Date.parse(started.data.leaseUntil) - Date.parse(started.data.startedAt)).toBe(1_000 + RUN_LEASE_GRACE_MS);
  });

  it('a second claim is refused, so the call runs at most once', () => {
    const history = [callRequested(), callStarted('runner-a')];
    spec
      .given(history)
      .when({ ...start, data: { ...ref, runnerId: 'runner-b' } }, { principal: system })
      .thenError('TOOL_CALL_ALREADY_STARTED', { runnerId: 'runner-a' });
    spec.given(history).when(complete, { principal: system }).thenTypes(['ToolCallSucceeded']);
    spec.given(history).when(fail, { principal: system }).thenTypes(['ToolCallFailed']);
  });

  it('the first outcome stands', () => {
    const history = [
      callRequested(),
      callStarted(),
      { type: 'ToolCallFailed' as const, data: { ...ref, toolName, version: 1, code: 'interrupted' as const, message: 'x', durationMs: 0, failedAt: now } },
    ];
    spec.given(history).when(complete, { principal: system }).thenNothing();
    spec.given(history).when(fail, { principal: system }).thenNothing();
  });

  it('nobody but the platform claims, completes or fails a call; a call not started does not complete', () => {
    spec.given([callRequested()]).when(complete, { principal: assignee }).thenError('PLATFORM_ONLY');
    spec.given([callRequested()]).when(start, { principal: assignee }).thenError('PLATFORM_ONLY');
    spec.given([callRequested()]).when(complete, { principal: system }).thenError('ILLEGAL_TRANSITION');
    spec.given([]).when(fail, { principal: admin }).thenError('TOOL_CALL_NOT_FOUND');
  });
});

describe("an org's rate window", () => {
  it('counts the calls of the last minute, one per command, and lets a released one go', () => {
    const window = new ToolCallRateWindow(60_000);
    const t = Date.now();
    expect(window.reserve(orgId, 'c1', t)).toBe(0);
    expect(window.reserve(orgId, 'c2', t + 1)).toBe(1);
    expect(window.reserve(orgId, 'c2', t + 2)).toBe(1);
    window.release('c1');
    expect(window.reserve(orgId, 'c3', t + 3)).toBe(1);
    expect(window.reserve(orgId, 'c4', t + 60_003)).toBe(0);
  });
});
