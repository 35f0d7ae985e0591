import { describe, expect, it } from 'vitest';
import { expectRegisteredAtVersion1 } from '../support/event-definitions.ts';
import { taskCommandSchema } from '../../domain/task/commands.ts';
import { TASK_INPUT_LIMITS, TASK_OUTPUTS_LIMITS } from '../../domain/task/fields.ts';
import { taskEventDefinitions } from '../../domain/task/events.ts';
import { assigneeId, contractId, jobId, orgId, parentTaskId, taskId } from '../support/task-fixtures.ts';

const ref = { taskId, orgId };
const parse = (type: string, data: Record<string, unknown>) => taskCommandSchema.safeParse({ type, data: { ...ref, ...data } });
const create = (data: Record<string, unknown>) => parse('CreateTask', { jobId, title: 'Summarise', assigneeSubjectId: assigneeId, ...data });
/** Paths as the pipeline reports them: within the command's `data`. */
const pathsOf = (result: ReturnType<typeof parse>) =>
  result.success ? [] : result.error.issues.map((issue) => (issue.path[0] === 'data' ? issue.path.slice(1) : issue.path).map(String).join('.'));
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('CreateTask', () => {
  it('defaults the parent, the contract, the heartbeat timeout and the attempts, and keeps ids in lower case', () => {
    const parsed = create({ taskId: taskId.toUpperCase(), assigneeSubjectId: assigneeId.toUpperCase() });
    expect(parsed.success && parsed.data.data).toEqual({
      taskId,
      orgId,
      jobId,
      title: 'Summarise',
      assigneeSubjectId: assigneeId,
      parentTaskId: null,
      contractId: null,
      heartbeatTimeoutMs: 60_000,
      maxAttempts: 3,
    });
  });

  it('accepts the bounds, any JSON input (null included), a parent and a contract', () => {
    for (const data of [
      { heartbeatTimeoutMs: 1_000, maxAttempts: 1 },
      { heartbeatTimeoutMs: 86_400_000, maxAttempts: 10 },
      { input: null },
      { input: [1, 'two', { three: 3 }] },
      { input: 'plain text' },
      { input: nested(TASK_INPUT_LIMITS.maxDepth) },
      { parentTaskId, contractId },
      { input: JSON.parse('{"__proto__": {"x": 1}}') },
    ]) {
      expect(create(data).success, JSON.stringify(data)).toBe(true);
    }
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a heartbeat timeout under a second', { heartbeatTimeoutMs: 999 }, 'heartbeatTimeoutMs'],
    ['a heartbeat timeout over a day', { heartbeatTimeoutMs: 86_400_001 }, 'heartbeatTimeoutMs'],
    ['a fractional heartbeat timeout', { heartbeatTimeoutMs: 1500.5 }, 'heartbeatTimeoutMs'],
    ['a heartbeat timeout as a string', { heartbeatTimeoutMs: '60000' }, 'heartbeatTimeoutMs'],
    ['no attempt', { maxAttempts: 0 }, 'maxAttempts'],
    ['more than ten attempts', { maxAttempts: 11 }, 'maxAttempts'],
    ['a fractional number of attempts', { maxAttempts: 2.5 }, 'maxAttempts'],
    ['a blank title', { title: '  ' }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['no title', { title: undefined }, 'title'],
    ['no job', { jobId: undefined }, 'jobId'],
    ['no assignee', { assigneeSubjectId: undefined }, 'assigneeSubjectId'],
    ['an assignee that is not a subject id', { assigneeSubjectId: 'bob' }, 'assigneeSubjectId'],
    ['a task id that is not a UUID', { taskId: "1' or 1=1" }, 'taskId'],
    ['no org', { orgId: undefined }, 'orgId'],
    ['a contract that is not a UUID', { contractId: 'contract-1' }, 'contractId'],
    ['a task that is its own parent', { parentTaskId: taskId }, 'parentTaskId'],
    ['an oversized input', { input: { text: 'x'.repeat(TASK_INPUT_LIMITS.maxChars) } }, 'input'],
    ['an input nested too deep', { input: nested(TASK_INPUT_LIMITS.maxDepth + 1) }, 'input'],
    ['an input with too many entries', { input: Array.from({ length: TASK_INPUT_LIMITS.maxEntries + 1 }, () => 0) }, 'input'],
    ['an input that is not JSON', { input: { at: new Date(0) } }, 'input'],
    ['an input with a non-finite number', { input: { n: Number.POSITIVE_INFINITY } }, 'input'],
    ['the creator named in the body', { createdBy: 'me' }, ''],
  ])('refuses %s', (_name, data, path) => {
    const result = create(data);
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toContain(path);
  });
});

describe('the other task commands', () => {
  it('accept well-formed data', () => {
    for (const [type, data] of [
      ['DispatchTask', { attempt: 1 }],
      ['DispatchTask', { attempt: 10 }],
      ['ReportTaskProgress', { progress: 0 }],
      ['ReportTaskProgress', { progress: 100, message: 'done' }],
      ['ReportTaskProgress', { progress: 42.5 }],
      ['UseTool', { tool: 'web.search', purpose: 'find sources' }],
      ['UseTool', { tool: 'mcp:github/create_issue' }],
      ['CompleteTask', { outputs: { summary: 's' } }],
      ['CompleteTask', { outputs: false }],
      ['FailTaskAttempt', { attempt: 3, reason: 'crashed' }],
      ['ReassignTask', { assigneeSubjectId: assigneeId, reason: 'idle' }],
      ['ReassignTask', { assigneeSubjectId: assigneeId, reason: 'idle', contractId }],
      ['ReassignTask', { assigneeSubjectId: assigneeId, reason: 'idle', contractId: null }],
      ['ReviewTask', { verdict: 'accept' }],
      ['ReviewTask', { verdict: 'reject', note: 'wrong chapter' }],
      ['CancelTask', { reason: 'not needed' }],
    ] as const) {
      expect(parse(type, data).success, `${type} ${JSON.stringify(data)}`).toBe(true);
    }
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['DispatchTask attempt 0', 'DispatchTask', { attempt: 0 }, 'attempt'],
    ['DispatchTask attempt 11', 'DispatchTask', { attempt: 11 }, 'attempt'],
    ['DispatchTask a fractional attempt', 'DispatchTask', { attempt: 1.5 }, 'attempt'],
    ['DispatchTask without an attempt', 'DispatchTask', {}, 'attempt'],
    ['DispatchTask naming the assignee', 'DispatchTask', { attempt: 1, assigneeSubjectId: assigneeId }, ''],
    ['progress below 0', 'ReportTaskProgress', { progress: -1 }, 'progress'],
    ['progress above 100', 'ReportTaskProgress', { progress: 100.1 }, 'progress'],
    ['progress as a string', 'ReportTaskProgress', { progress: '50' }, 'progress'],
    ['progress that is not a number', 'ReportTaskProgress', { progress: Number.NaN }, 'progress'],
    ['a blank progress message', 'ReportTaskProgress', { progress: 5, message: ' ' }, 'message'],
    ['a tool name with a space', 'UseTool', { tool: 'web search' }, 'tool'],
    ['an empty tool name', 'UseTool', { tool: '' }, 'tool'],
    ['a tool name over 128 characters', 'UseTool', { tool: 'x'.repeat(129) }, 'tool'],
    ['a tool name starting with a dot', 'UseTool', { tool: '.hidden' }, 'tool'],
    ['a blank tool purpose', 'UseTool', { tool: 'web.search', purpose: '' }, 'purpose'],
    ['null outputs', 'CompleteTask', { outputs: null }, 'outputs'],
    ['no outputs', 'CompleteTask', {}, 'outputs'],
    ['oversized outputs', 'CompleteTask', { outputs: 'x'.repeat(TASK_OUTPUTS_LIMITS.maxChars) }, 'outputs'],
    ['outputs nested too deep', 'CompleteTask', { outputs: nested(TASK_OUTPUTS_LIMITS.maxDepth + 1) }, 'outputs'],
    ['a failure without a reason', 'FailTaskAttempt', { attempt: 1 }, 'reason'],
    ['a failure without an attempt', 'FailTaskAttempt', { reason: 'r' }, 'attempt'],
    ['a reassignment to a name', 'ReassignTask', { assigneeSubjectId: 'bob', reason: 'r' }, 'assigneeSubjectId'],
    ['a reassignment without a reason', 'ReassignTask', { assigneeSubjectId: assigneeId }, 'reason'],
    ['an unknown verdict', 'ReviewTask', { verdict: 'maybe' }, 'verdict'],
    ['the reviewer named in the body', 'ReviewTask', { verdict: 'accept', reviewedBy: assigneeId }, ''],
    ['a cancellation with a blank reason', 'CancelTask', { reason: '' }, 'reason'],
    ['an unknown command type', 'DeleteTask', {}, 'type'],
  ])('refuses %s', (_name, type, data, path) => {
    const result = parse(type, data);
    expect(result.success).toBe(false);
    expect(pathsOf(result)).toContain(path);
  });
});

describe('task events', () => {
  it('are registered, each once, at schema version 1', () => {
    expectRegisteredAtVersion1(taskEventDefinitions, [
      'TaskCreated',
      'TaskDispatched',
      'TaskProgressReported',
      'TaskToolUsed',
      'TaskCompleted',
      'TaskAttemptFailed',
      'TaskFailed',
      'TaskReassigned',
      'TaskReviewed',
      'TaskCancelled',
    ]);
  });
});
