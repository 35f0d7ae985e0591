import { describe, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { VERDICT_DUE } from '../../processes/work/execution/timer-refs.ts';
import { deliverable, historyTo as jobHistoryTo, jobId, jobStateAfter, jobSubmitted, now, orgId, verifierId } from '../support/job-fixtures.ts';
import { outputs, parentTaskId, taskCompleted, taskCreated, taskDispatched, taskStateAfter } from '../support/task-fixtures.ts';
import { event, type ExecutionStep, rootTaskId, settings, spec, state } from './execution-saga.support.ts';

const at = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
const completedTask = taskStateAfter([taskCreated({ taskId: rootTaskId }), taskDispatched(1), taskCompleted(1)]);
const completed = () =>
  event<'TaskCompleted'>({
    type: 'TaskCompleted',
    data: { taskId: rootTaskId, orgId, jobId, attempt: 1, outputs, completedBy: { id: 'a', kind: 'subject' }, completedAt: now },
  });
const deliver: ExecutionStep = {
  kind: 'command',
  command: { aggregate: 'job', type: 'DeliverJob', data: { jobId, orgId, deliverable: outputs, note: `delivered by task ${rootTaskId}` } },
  commandId: `exec:${rootTaskId}:deliver`,
};

describe('execution workflow: a completed task is the job’s delivery', () => {
  it('delivers the task’s outputs on the job', () => {
    spec
      .given({ ...state, task: completedTask, job: jobStateAfter(jobHistoryTo.in_progress) })
      .when(completed())
      .thenSteps([deliver]);
  });

  it('starts the work first on a job still only assigned', () => {
    spec
      .given({ ...state, task: completedTask, job: jobStateAfter(jobHistoryTo.assigned) })
      .when(completed())
      .thenSteps([
        { kind: 'command', command: { aggregate: 'job', type: 'StartWork', data: { jobId, orgId } }, commandId: `exec:${rootTaskId}:start-work` },
        deliver,
      ]);
  });

  it('leaves a sub-task’s result to its parent, and a task of another assignment alone', () => {
    const subtask = taskStateAfter([taskCreated({ taskId: rootTaskId, parentTaskId }), taskDispatched(1), taskCompleted(1)]);
    spec
      .given({ ...state, task: subtask, job: jobStateAfter(jobHistoryTo.in_progress) })
      .when(completed())
      .thenNothing();
    spec
      .given({ ...state, task: completedTask, job: jobStateAfter(jobHistoryTo.contracting) })
      .when(completed())
      .thenNothing();
  });
});

describe('execution workflow: a delivered job is verified', () => {
  const delivered = () =>
    event<'JobDelivered'>({
      type: 'JobDelivered',
      data: { jobId, orgId, deliverable, note: null, deliveredBy: { id: 'a', kind: 'subject' }, deliveredAt: now },
    });

  it('asks each verifier and sets the verdict’s deadline', () => {
    const timeoutMs = settings.verificationTimeoutMs;
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.delivered), settings })
      .when(delivered())
      .thenSteps([
        {
          kind: 'schedule',
          timer: { key: `${VERDICT_DUE}:${jobId}:${now}`, orgId, dueAt: at(timeoutMs), purpose: VERDICT_DUE, ref: { jobId, deliveredAt: now, timeoutMs } },
        },
        {
          kind: 'publish',
          subject: agentInboxSubject(verifierId, 'verify'),
          data: { orgId, jobId, goal: 'Summarise the quarterly report', deliverable, outputTemplate: null },
        },
      ]);
  });

  it('verifies, as the platform, a job without verifiers', () => {
    const job = jobStateAfter([jobSubmitted({ verifierSubjectIds: [], completionMode: 'single' }), ...jobHistoryTo.delivered.slice(1)]);
    const input = delivered();
    spec
      .given({ ...state, job, settings })
      .when(input)
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'job', type: 'VerifyJob', data: { jobId, orgId, note: 'completion mode single: accepted on delivery by the platform' } },
          commandId: `exec:${jobId}:verify:${input.eventId}`,
        },
      ]);
  });

  it('does nothing for a job no longer delivered', () => {
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.verified), settings })
      .when(delivered())
      .thenNothing();
  });

  it('escalates a delivery left without a verdict past its deadline, once per delivery', () => {
    const timeoutMs = settings.verificationTimeoutMs;
    const due = (deliveredAt: string) =>
      event<'TimerFired'>({
        type: 'TimerFired',
        data: {
          timerId: '99999999-9999-4999-8999-999999999999',
          orgId,
          purpose: VERDICT_DUE,
          ref: { jobId, deliveredAt, timeoutMs },
          dueAt: at(timeoutMs),
          firedAt: at(timeoutMs),
        },
      });
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.delivered), settings })
      .when(due(now))
      .thenSteps([
        {
          kind: 'command',
          command: {
            aggregate: 'job',
            type: 'EscalateJob',
            data: { jobId, orgId, reason: `no verdict on the delivery within ${timeoutMs} ms`, escalateTo: settings.escalateTo },
          },
          commandId: `exec:${jobId}:${now}:verdict-due`,
        },
      ]);
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.delivered), settings })
      .when(due(at(1)))
      .thenNothing();
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.verified), settings })
      .when(due(now))
      .thenNothing();
  });
});
