import { describe, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { TASK_HEARTBEAT, TASK_RETRY } from '../../processes/work/execution/timer-refs.ts';
import { assigneeId, historyTo as jobHistoryTo, jobId, jobStateAfter, now, orgId } from '../support/job-fixtures.ts';
import { attemptFailed, progressReported, taskCreated, taskDispatched, taskStateAfter } from '../support/task-fixtures.ts';
import { event, rootTaskId, settings, spec, state } from './execution-saga.support.ts';

const at = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
const created = taskCreated({ taskId: rootTaskId });
const dispatchedTask = taskStateAfter([created, taskDispatched(1)]);
const inProgressJob = jobStateAfter(jobHistoryTo.in_progress);
const timerFired = (purpose: string, ref: Record<string, string | number>, dueAt: string) =>
  event<'TimerFired'>({ type: 'TimerFired', data: { timerId: '99999999-9999-4999-8999-999999999999', orgId, purpose, ref, dueAt, firedAt: dueAt } });
const heartbeatDue = (check = 0, dueAt = at(60_000), attempt = 1) => timerFired(TASK_HEARTBEAT, { taskId: rootTaskId, attempt, check }, dueAt);

describe('execution workflow: heartbeats', () => {
  it('fails the attempt of a task silent for its heartbeat timeout', () => {
    spec
      .given({ ...state, task: dispatchedTask, job: inProgressJob })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'task', type: 'FailTaskAttempt', data: { taskId: rootTaskId, orgId, attempt: 1, reason: 'no heartbeat for 60000 ms' } },
          commandId: `exec:${rootTaskId}:silent:1`,
        },
      ]);
  });

  it('checks again a timeout after the last heartbeat when the task showed life since', () => {
    // Progress at `now + 30 s` (the fixtures' events are all at `now`: the report is moved by hand).
    const task = taskStateAfter([created, taskDispatched(1), progressReported(1)]);
    const beat = task === null ? null : { ...task, lastHeartbeatAt: at(30_000) };
    spec
      .given({ ...state, task: beat, job: inProgressJob })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenSteps([
        {
          kind: 'schedule',
          timer: {
            key: `${TASK_HEARTBEAT}:${rootTaskId}:1:1`,
            orgId,
            dueAt: at(90_000),
            purpose: TASK_HEARTBEAT,
            ref: { taskId: rootTaskId, attempt: 1, check: 1 },
          },
        },
      ]);
  });

  it('cancels a task whose job is no longer worked under its contract, and tells the assignee', () => {
    const reason = 'its job is no longer worked under this contract';
    spec
      .given({ ...state, task: dispatchedTask, job: jobStateAfter(jobHistoryTo.contracting) })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'task', type: 'CancelTask', data: { taskId: rootTaskId, orgId, reason } },
          commandId: `exec:${rootTaskId}:cancel`,
        },
        { kind: 'publish', subject: agentInboxSubject(assigneeId, 'cancel'), data: { orgId, taskId: rootTaskId, reason } },
      ]);
    spec
      .given({ ...state, task: dispatchedTask, job: jobStateAfter(jobHistoryTo.delivered) })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenKinds(['command:CancelTask', 'publish']);
  });

  it('ignores the check of an earlier attempt, or of a task no longer running', () => {
    spec
      .given({ ...state, task: dispatchedTask, job: inProgressJob })
      .when(heartbeatDue(0, at(60_000), 2), { now: at(60_000) })
      .thenNothing();
    const retrying = taskStateAfter([created, taskDispatched(1), attemptFailed(1, true)]);
    spec
      .given({ ...state, task: retrying, job: inProgressJob })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenNothing();
    spec
      .given({ ...state, task: null, job: inProgressJob })
      .when(heartbeatDue(), { now: at(60_000) })
      .thenNothing();
  });
});

describe('execution workflow: retries', () => {
  const retrying = taskStateAfter([created, taskDispatched(1), attemptFailed(1, true)]);
  const failed = (willRetry: boolean, attempt = 1) =>
    event<'TaskAttemptFailed'>({
      type: 'TaskAttemptFailed',
      data: { taskId: rootTaskId, orgId, jobId, attempt, reason: 'silent', willRetry, failedBy: { id: 'system', kind: 'system' }, failedAt: now },
    });

  it('sets a retry timer with the org’s backoff after a failed attempt with attempts left', () => {
    spec
      .given({ ...state, task: retrying, settings })
      .when(failed(true))
      .thenSteps([
        {
          kind: 'schedule',
          timer: {
            key: `${TASK_RETRY}:${rootTaskId}:1`,
            orgId,
            dueAt: at(settings.retryBackoffMs),
            purpose: TASK_RETRY,
            ref: { taskId: rootTaskId, attempt: 1 },
          },
        },
      ]);
  });

  it('doubles the backoff with each attempt', () => {
    const second = taskStateAfter([created, taskDispatched(1), attemptFailed(1, true), taskDispatched(2), attemptFailed(2, true)]);
    const decided = spec.given({ ...state, task: second, settings }).when(failed(true, 2));
    decided.thenSteps([
      {
        kind: 'schedule',
        timer: {
          key: `${TASK_RETRY}:${rootTaskId}:2`,
          orgId,
          dueAt: at(2 * settings.retryBackoffMs),
          purpose: TASK_RETRY,
          ref: { taskId: rootTaskId, attempt: 2 },
        },
      },
    ]);
  });

  it('sets no timer for the last attempt, or for an attempt the task has moved past', () => {
    spec
      .given({ ...state, task: retrying, settings })
      .when(failed(false))
      .thenNothing();
    spec
      .given({ ...state, task: retrying, settings })
      .when(failed(true, 2))
      .thenNothing();
    spec
      .given({ ...state, task: dispatchedTask, settings })
      .when(failed(true))
      .thenNothing();
  });

  it('dispatches the next attempt when the retry timer fires, once', () => {
    const retryDue = timerFired(TASK_RETRY, { taskId: rootTaskId, attempt: 1 }, at(settings.retryBackoffMs));
    spec
      .given({ ...state, task: retrying })
      .when(retryDue)
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'task', type: 'DispatchTask', data: { taskId: rootTaskId, orgId, attempt: 2 } },
          commandId: `exec:${rootTaskId}:dispatch:2`,
        },
      ]);
    spec
      .given({ ...state, task: taskStateAfter([created, taskDispatched(1), attemptFailed(1, true), taskDispatched(2)]) })
      .when(retryDue)
      .thenNothing();
  });
});
