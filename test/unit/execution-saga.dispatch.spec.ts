import { describe, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { TASK_HEARTBEAT } from '../../processes/work/execution/timer-refs.ts';
import { assigneeId, contractId, historyTo as jobHistoryTo, jobId, jobStateAfter, jobSubmitted, now, orgId } from '../support/job-fixtures.ts';
import { taskCreated, taskDispatched, taskStateAfter, otherContractId, parentTaskId } from '../support/task-fixtures.ts';
import { event, type ExecutionStep, rootTaskId, settings, spec, state } from './execution-saga.support.ts';

const assigned = () => event<'JobAssigned'>({ type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId: assigneeId, contractId } });
const assignedJob = jobStateAfter(jobHistoryTo.assigned);
const dispatch = (taskId: string, attempt: number): ExecutionStep => ({
  kind: 'command',
  command: { aggregate: 'task', type: 'DispatchTask', data: { taskId, orgId, attempt } },
  commandId: `exec:${taskId}:dispatch:${attempt}`,
});

describe('execution workflow: an assigned job becomes a task, dispatched to its assignee', () => {
  it('creates the task of the contract (the job’s goal, the org’s heartbeat and attempts) and dispatches attempt 1', () => {
    const job = jobStateAfter([jobSubmitted({ goal: 'Summarise the report', objectives: ['short'] }), ...jobHistoryTo.assigned.slice(1)]);
    spec
      .given({ ...state, job, settings })
      .when(assigned())
      .thenSteps([
        {
          kind: 'command',
          command: {
            aggregate: 'task',
            type: 'CreateTask',
            data: {
              taskId: rootTaskId,
              orgId,
              jobId,
              contractId,
              title: 'Summarise the report',
              input: { goal: 'Summarise the report', objectives: ['short'], outputTemplate: null },
              assigneeSubjectId: assigneeId,
              heartbeatTimeoutMs: settings.taskHeartbeatMs,
              maxAttempts: settings.taskMaxAttempts,
            },
          },
          commandId: `exec:${rootTaskId}:create`,
          ifRefused: 'stop',
        },
        dispatch(rootTaskId, 1),
      ]);
  });

  it('only dispatches a task created already but never dispatched, and leaves a dispatched one alone', () => {
    const created = taskCreated({ taskId: rootTaskId });
    spec
      .given({ ...state, job: assignedJob, settings, task: taskStateAfter([created]) })
      .when(assigned())
      .thenSteps([dispatch(rootTaskId, 1)]);
    spec
      .given({ ...state, job: assignedJob, settings, task: taskStateAfter([created, taskDispatched(1)]) })
      .when(assigned())
      .thenNothing();
  });

  it('says so, and dispatches nothing, when the task id is taken by a task of another contract', () => {
    const task = taskStateAfter([taskCreated({ taskId: rootTaskId, contractId: otherContractId })]);
    spec
      .given({ ...state, job: assignedJob, settings, task })
      .when(assigned())
      .thenKinds(['log']);
  });

  it('does nothing for an assignment the job no longer holds', () => {
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.contracting), settings })
      .when(assigned())
      .thenNothing();
    spec
      .given({ ...state, settings })
      .when(assigned())
      .thenNothing();
  });

  it('dispatches a sub-task where it is created, and leaves root tasks to the assignment', () => {
    const subtaskId = '99999999-0000-4000-8000-000000000009';
    const created = (parent: string | null) =>
      event<'TaskCreated'>({
        type: 'TaskCreated',
        data: {
          taskId: subtaskId,
          orgId,
          jobId,
          parentTaskId: parent,
          contractId,
          title: 'part',
          input: null,
          assigneeSubjectId: assigneeId,
          heartbeatTimeoutMs: 60_000,
          maxAttempts: 3,
          createdBy: { id: assigneeId, kind: 'subject' },
          createdAt: now,
        },
      });
    spec
      .given(state)
      .when(created(parentTaskId))
      .thenSteps([dispatch(subtaskId, 1)]);
    spec.given(state).when(created(null)).thenNothing();
  });
});

describe('execution workflow: a dispatched attempt', () => {
  const dispatched = (attempt: number) =>
    event<'TaskDispatched'>({
      type: 'TaskDispatched',
      data: {
        taskId: rootTaskId,
        orgId,
        jobId,
        attempt,
        assigneeSubjectId: assigneeId,
        heartbeatTimeoutMs: 60_000,
        dispatchedBy: { id: 'system', kind: 'system' },
        dispatchedAt: now,
      },
    });
  const task = taskStateAfter([taskCreated({ taskId: rootTaskId }), taskDispatched(1)]);

  it('starts the work on the job, sets the first heartbeat check and sends `dispatch` to the assignee', () => {
    spec
      .given({ ...state, task, job: assignedJob })
      .when(dispatched(1))
      .thenSteps([
        { kind: 'command', command: { aggregate: 'job', type: 'StartWork', data: { jobId, orgId } }, commandId: `exec:${rootTaskId}:start-work` },
        {
          kind: 'schedule',
          timer: {
            key: `${TASK_HEARTBEAT}:${rootTaskId}:1:0`,
            orgId,
            dueAt: new Date(Date.parse(now) + 60_000).toISOString(),
            purpose: TASK_HEARTBEAT,
            ref: { taskId: rootTaskId, attempt: 1, check: 0 },
          },
        },
        {
          kind: 'publish',
          subject: agentInboxSubject(assigneeId, 'dispatch'),
          data: {
            orgId,
            jobId,
            taskId: rootTaskId,
            attempt: 1,
            title: 'Summarise chapter 1',
            input: { chapter: 1, words: 300 },
            contractId,
            parentTaskId: null,
            heartbeatMs: 60_000,
          },
        },
      ]);
  });

  it('does not start work again on a job already in progress', () => {
    spec
      .given({ ...state, task, job: jobStateAfter(jobHistoryTo.in_progress) })
      .when(dispatched(1))
      .thenKinds(['schedule', 'publish']);
  });

  it('does nothing for an attempt that is not the task’s current one, or a task no longer dispatched', () => {
    spec
      .given({ ...state, task, job: assignedJob })
      .when(dispatched(2))
      .thenNothing();
    spec
      .given({ ...state, task: null, job: assignedJob })
      .when(dispatched(1))
      .thenNothing();
    const cancelled = taskStateAfter([
      taskCreated({ taskId: rootTaskId }),
      taskDispatched(1),
      { type: 'TaskCancelled', data: { taskId: rootTaskId, orgId, jobId, reason: 'x', cancelledBy: { id: 'system', kind: 'system' }, cancelledAt: now } },
    ]);
    spec
      .given({ ...state, task: cancelled, job: assignedJob })
      .when(dispatched(1))
      .thenNothing();
  });
});
