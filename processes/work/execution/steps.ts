import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { Task } from '../../../domain/task/state.ts';
import type { WorkStep } from '../work-command.ts';
import type { ExecutionFollowUp } from './follow-ups.ts';

/** A step of the execution workflow. */
export type ExecutionStep = WorkStep<ExecutionFollowUp>;

export function dispatch(taskId: string, orgId: string, attempt: number): ExecutionStep {
  return {
    kind: 'command',
    command: { aggregate: 'task', type: 'DispatchTask', data: { taskId, orgId, attempt } },
    commandId: `exec:${taskId}:dispatch:${attempt}`,
  };
}

export function startWork(taskId: string, jobId: string, orgId: string): ExecutionStep {
  return { kind: 'command', command: { aggregate: 'job', type: 'StartWork', data: { jobId, orgId } }, commandId: `exec:${taskId}:start-work` };
}

/** The task stopped, and its assignee told to stop working on it. */
export function cancelTask(task: Pick<Task, 'taskId' | 'orgId' | 'assigneeSubjectId'>, reason: string): ExecutionStep[] {
  const { taskId, orgId } = task;
  return [
    { kind: 'command', command: { aggregate: 'task', type: 'CancelTask', data: { taskId, orgId, reason } }, commandId: `exec:${taskId}:cancel` },
    { kind: 'publish', subject: agentInboxSubject(task.assigneeSubjectId, 'cancel'), data: { orgId, taskId, reason } },
  ];
}
