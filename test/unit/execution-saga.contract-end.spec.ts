import { describe, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import type { PlatformEventOf } from '../../domain/events/catalog.ts';
import { admin, assigneeId, contractId, jobId, now, orgId, verifier } from '../support/job-fixtures.ts';
import { taskCompleted, taskCreated, taskDispatched, taskReviewed, taskStateAfter } from '../support/task-fixtures.ts';
import { event, type ExecutionStep, rootTaskId, spec, state } from './execution-saga.support.ts';

const lastAssignment = { contractId, orgId };
const openTask = taskStateAfter([taskCreated({ taskId: rootTaskId }), taskDispatched(1)]);
const resolved = (status: 'contracting' | 'cancelled' | 'in_progress', note: string | null = null) =>
  event<'JobEscalationResolved'>({
    type: 'JobEscalationResolved',
    data: { jobId, orgId, resolution: 'reassign', note, status, resolvedBy: admin, resolvedAt: now },
  });
const terminate = (reason: string): ExecutionStep => ({
  kind: 'command',
  command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
  commandId: `exec:${contractId}:terminate`,
});
const cancelTask = (reason: string): ExecutionStep[] => [
  { kind: 'command', command: { aggregate: 'task', type: 'CancelTask', data: { taskId: rootTaskId, orgId, reason } }, commandId: `exec:${rootTaskId}:cancel` },
  { kind: 'publish', subject: agentInboxSubject(assigneeId, 'cancel'), data: { orgId, taskId: rootTaskId, reason } },
];

describe('execution workflow: the contract of a job that is over, or sent back', () => {
  it('fulfils the contract of the job’s last assignment when the job is verified', () => {
    spec
      .given({ ...state, lastAssignment })
      .when(event<'JobVerified'>({ type: 'JobVerified', data: { jobId, orgId, note: null, verifiedBy: verifier, verifiedAt: now } }))
      .thenSteps([
        { kind: 'command', command: { aggregate: 'contract', type: 'FulfilContract', data: { contractId, orgId } }, commandId: `exec:${contractId}:fulfil` },
      ]);
  });

  it('cancels the open task, tells its assignee, and terminates the contract of a failed, cancelled or rejected job', () => {
    const cases: Array<[PlatformEventOf<'JobFailed' | 'JobCancelled' | 'JobDeliveryRejected'>, string]> = [
      [{ type: 'JobFailed', data: { jobId, orgId, reason: 'agent crashed' } }, 'the job was failed: agent crashed'],
      [{ type: 'JobCancelled', data: { jobId, orgId, reason: 'no longer needed' } }, 'the job was cancelled: no longer needed'],
      [{ type: 'JobDeliveryRejected', data: { jobId, orgId, reason: 'too long', rejectedBy: verifier, rejectedAt: now } }, 'the job was rejected: too long'],
    ];
    for (const [ended, reason] of cases) {
      spec
        .given({ ...state, lastAssignment, task: openTask })
        .when(event(ended))
        .thenSteps([...cancelTask(reason), terminate(reason)]);
    }
  });

  it('only terminates the contract when its task is over already', () => {
    const done = taskStateAfter([taskCreated({ taskId: rootTaskId }), taskDispatched(1), taskCompleted(1), taskReviewed('accept')]);
    spec
      .given({ ...state, lastAssignment, task: done })
      .when(event<'JobCancelled'>({ type: 'JobCancelled', data: { jobId, orgId, reason: 'x' } }))
      .thenSteps([terminate('the job was cancelled: x')]);
  });

  it('ends the contract when an escalation sends the job back to contracting or cancels it', () => {
    spec
      .given({ ...state, lastAssignment, task: openTask })
      .when(resolved('contracting'))
      .thenSteps([...cancelTask('the job went back to contracting'), terminate('the job went back to contracting')]);
    spec
      .given({ ...state, lastAssignment, task: null })
      .when(resolved('cancelled'))
      .thenSteps([terminate('the job was cancelled: escalation resolved by cancelling')]);
    spec
      .given({ ...state, lastAssignment, task: null })
      .when(resolved('cancelled', 'over budget'))
      .thenSteps([terminate('the job was cancelled: over budget')]);
    spec
      .given({ ...state, lastAssignment, task: openTask })
      .when(resolved('in_progress'))
      .thenNothing();
  });

  it('does nothing for a job that was never assigned', () => {
    spec
      .given(state)
      .when(event<'JobCancelled'>({ type: 'JobCancelled', data: { jobId, orgId, reason: 'x' } }))
      .thenNothing();
  });
});
