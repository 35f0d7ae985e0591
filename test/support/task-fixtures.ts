import type { Principal } from '../../domain/shared/principal.ts';
import type { TaskCommand, TaskCommandType } from '../../domain/task/commands.ts';
import type { ContractTerms } from '../../domain/task/contract-terms.ts';
import type { TaskDecisionContext } from '../../domain/task/decide.ts';
import { taskDecider } from '../../domain/task/decider.ts';
import type { TaskEvent } from '../../domain/task/events.ts';
import type { Task, TaskStatus } from '../../domain/task/state.ts';
import { deciderSpec } from './decider-spec.ts';
import { admin, asSubject, assignee, assigneeId, contractId, jobId, now, orgId, system, verifier, verifierId } from './work-identities.ts';

export * from './work-identities.ts';

export const taskId = '77777777-7777-4777-8777-777777777777';
export const parentTaskId = '88888888-8888-4888-8888-888888888888';
export const otherContractId = 'dddddddd-0000-4000-8000-000000000005';
export const newAssigneeId = 'eeeeeeee-0000-4000-8000-000000000006';
export const newAssignee = asSubject(newAssigneeId);

/** The terms of the task's contract: in force, binding the assignee, permitting every task action and one tool. */
export const activeTerms: ContractTerms = {
  contractId,
  status: 'active',
  assigneeSubjectId: assigneeId,
  verifierSubjectIds: [verifierId],
  permittedActions: ['task.*'],
  permittedTools: ['web.search', 'mcp:github/create_issue'],
};
export const termsWith = (overrides: Partial<ContractTerms>): ContractTerms => ({ ...activeTerms, ...overrides });

export const taskContext: TaskDecisionContext = { now, principal: admin, commandId: 'cmd-00000001', contract: activeTerms };
export const taskSpec = deciderSpec(taskDecider, taskContext);

type CreateData = Extract<TaskCommand, { type: 'CreateTask' }>['data'];
type EventData<Type extends TaskEvent['type']> = Extract<TaskEvent, { type: Type }>['data'];

const ref = { taskId, orgId };
const eventRef = { taskId, orgId, jobId };

/** What the CreateTask asks for, and so what its TaskCreated records. */
function creation() {
  return {
    parentTaskId: null,
    contractId,
    title: 'Summarise chapter 1',
    input: { chapter: 1, words: 300 },
    assigneeSubjectId: assigneeId,
    heartbeatTimeoutMs: 60_000,
    maxAttempts: 3,
  } satisfies Partial<CreateData>;
}

/** A CreateTask as it looks after parsing (defaults applied). */
export function createTask(overrides: Partial<CreateData> = {}): TaskCommand {
  return { type: 'CreateTask', data: { ...ref, jobId, ...creation(), ...overrides } };
}

export function taskCreated(overrides: Partial<EventData<'TaskCreated'>> = {}): TaskEvent {
  return {
    type: 'TaskCreated',
    data: {
      ...eventRef,
      ...creation(),
      createdBy: admin,
      createdAt: now,
      ...overrides,
    },
  };
}

export const taskDispatched = (attempt: number, assigneeSubjectId = assigneeId, dispatchedBy: Principal = system): TaskEvent => ({
  type: 'TaskDispatched',
  data: { ...eventRef, attempt, assigneeSubjectId, heartbeatTimeoutMs: 60_000, dispatchedBy, dispatchedAt: now },
});
export const progressReported = (attempt: number, progress = 50, message: string | null = null): TaskEvent => ({
  type: 'TaskProgressReported',
  data: { ...eventRef, attempt, progress, message, reportedAt: now },
});
export const toolUsed = (attempt: number, tool = 'web.search', purpose: string | null = null): TaskEvent => ({
  type: 'TaskToolUsed',
  data: { ...eventRef, attempt, tool, purpose, usedAt: now },
});
export const outputs = { summary: 'Chapter 1 in 300 words.' };
export const taskCompleted = (attempt: number, completedBy: Principal = assignee): TaskEvent => ({
  type: 'TaskCompleted',
  data: { ...eventRef, attempt, outputs, completedBy, completedAt: now },
});
export const attemptFailed = (attempt: number, willRetry: boolean, failedBy: Principal = system, reason = 'heartbeat timed out'): TaskEvent => ({
  type: 'TaskAttemptFailed',
  data: { ...eventRef, attempt, reason, willRetry, failedBy, failedAt: now },
});
export const taskFailed = (attempts: number, reason = 'heartbeat timed out'): TaskEvent => ({
  type: 'TaskFailed',
  data: { ...eventRef, reason, attempts, failedAt: now },
});
export const taskReassigned = (overrides: Partial<EventData<'TaskReassigned'>> = {}): TaskEvent => ({
  type: 'TaskReassigned',
  data: {
    ...eventRef,
    assigneeSubjectId: newAssigneeId,
    previousAssigneeSubjectId: assigneeId,
    contractId,
    reason: 'unresponsive',
    reassignedBy: system,
    reassignedAt: now,
    ...overrides,
  },
});
export const taskReviewed = (verdict: 'accept' | 'reject', reviewedBy: Principal = verifier, note: string | null = null): TaskEvent => ({
  type: 'TaskReviewed',
  data: { ...eventRef, verdict, note, reviewedBy, reviewedAt: now },
});
export const taskCancelled = (cancelledBy: Principal = admin): TaskEvent => ({
  type: 'TaskCancelled',
  data: { ...eventRef, reason: 'no longer needed', cancelledBy, cancelledAt: now },
});

/** The events that bring a task (under the contract, 3 attempts) into each status. */
export const historyTo: Record<TaskStatus, readonly TaskEvent[]> = {
  pending: [taskCreated()],
  dispatched: [taskCreated(), taskDispatched(1)],
  in_progress: [taskCreated(), taskDispatched(1), progressReported(1)],
  completed: [taskCreated(), taskDispatched(1), progressReported(1), taskCompleted(1)],
  accepted: [taskCreated(), taskDispatched(1), progressReported(1), taskCompleted(1), taskReviewed('accept')],
  rejected: [taskCreated(), taskDispatched(1), progressReported(1), taskCompleted(1), taskReviewed('reject')],
  retrying: [taskCreated(), taskDispatched(1), attemptFailed(1, true)],
  failed: [taskCreated({ maxAttempts: 1 }), taskDispatched(1), attemptFailed(1, false), taskFailed(1)],
  cancelled: [taskCreated(), taskCancelled()],
};

export const allTaskStatuses = Object.keys(historyTo) as TaskStatus[];

/** The state after `events`. */
export const taskStateAfter = (events: readonly TaskEvent[]) => events.reduce(taskDecider.evolve, taskDecider.initialState);
export function taskAfter(events: readonly TaskEvent[]): Task {
  const state = taskStateAfter(events);
  if (state === null) throw new Error('no task');
  return state;
}

export type TaskCommandOnATask = Exclude<TaskCommand, { type: 'CreateTask' }>;
export type CommandOnATaskType = Exclude<TaskCommandType, 'CreateTask'>;

/** One well-formed command of every type but CreateTask, for a task at attempt `attempt` (0: never dispatched). */
export function commandsOnATask(attempt = 1): { [Type in CommandOnATaskType]: Extract<TaskCommandOnATask, { type: Type }> } {
  return {
    DispatchTask: { type: 'DispatchTask', data: { ...ref, attempt: attempt + 1 } },
    ReportTaskProgress: { type: 'ReportTaskProgress', data: { ...ref, progress: 50 } },
    UseTool: { type: 'UseTool', data: { ...ref, tool: 'web.search' } },
    CompleteTask: { type: 'CompleteTask', data: { ...ref, outputs } },
    FailTaskAttempt: { type: 'FailTaskAttempt', data: { ...ref, attempt, reason: 'heartbeat timed out' } },
    ReassignTask: { type: 'ReassignTask', data: { ...ref, assigneeSubjectId: newAssigneeId, reason: 'unresponsive' } },
    ReviewTask: { type: 'ReviewTask', data: { ...ref, verdict: 'accept' } },
    CancelTask: { type: 'CancelTask', data: { ...ref, reason: 'no longer needed' } },
  };
}

/** Who issues each command when the point is that it is allowed: the assignee works, a verifier reviews. */
export const usualPrincipal: Record<CommandOnATaskType, Principal> = {
  DispatchTask: system,
  ReportTaskProgress: assignee,
  UseTool: assignee,
  CompleteTask: assignee,
  FailTaskAttempt: assignee,
  ReassignTask: system,
  ReviewTask: verifier,
  CancelTask: admin,
};
