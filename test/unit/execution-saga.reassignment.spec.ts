import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../domain/job/events.ts';
import type { Subject } from '../../domain/subject/state.ts';
import type { ExecutionFollowUp } from '../../processes/work/execution/follow-ups.ts';
import { assigneeId, historyTo as jobHistoryTo, jobId, jobStateAfter, now, orgId, system } from '../support/job-fixtures.ts';
import { attemptFailed, parentTaskId, taskCreated, taskDispatched, taskFailed, taskStateAfter } from '../support/task-fixtures.ts';
import { event, rootTaskId, settings, spec, state } from './execution-saga.support.ts';

const eventId = '00000000-0000-4000-8000-0000000000ee';
const reassign = (reason: string): ExecutionFollowUp => ({ type: 'reassign', jobId, reason, eventId });

describe('execution workflow: a job whose task failed or whose assignee was suspended goes to someone else', () => {
  it('reassigns the job of a root task out of attempts', () => {
    const task = taskStateAfter([taskCreated({ taskId: rootTaskId, maxAttempts: 1 }), taskDispatched(1), attemptFailed(1, false), taskFailed(1)]);
    const failed = event<'TaskFailed'>({ type: 'TaskFailed', data: { taskId: rootTaskId, orgId, jobId, reason: 'silent', attempts: 1, failedAt: now } });
    spec
      .given({ ...state, task })
      .when(failed)
      .thenSteps([{ kind: 'follow', input: { type: 'reassign', jobId, reason: 'task failed after 1 attempt(s): silent', eventId: failed.eventId } }]);
  });

  it('leaves a failed sub-task to its parent', () => {
    const task = taskStateAfter([taskCreated({ taskId: rootTaskId, parentTaskId, maxAttempts: 1 }), taskDispatched(1), attemptFailed(1, false), taskFailed(1)]);
    spec
      .given({ ...state, task })
      .when(event<'TaskFailed'>({ type: 'TaskFailed', data: { taskId: rootTaskId, orgId, jobId, reason: 'silent', attempts: 1, failedAt: now } }))
      .thenNothing();
  });

  it('escalates the job, as the platform, and resolves it `reassign` at once, with ids derived from the cause', () => {
    const reason = 'task failed after 3 attempt(s): silent';
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.in_progress), settings })
      .when(reassign(reason))
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'job', type: 'EscalateJob', data: { jobId, orgId, reason, escalateTo: settings.escalateTo } },
          commandId: `exec:${jobId}:${eventId}:escalate`,
          ifRefused: 'stop',
        },
        {
          kind: 'command',
          command: { aggregate: 'job', type: 'ResolveEscalation', data: { jobId, orgId, resolution: 'reassign', note: 'reassigned by the platform' } },
          commandId: `exec:${jobId}:${eventId}:reassign`,
        },
      ]);
  });

  it('only resolves a job this very step escalated already (a retry after the first half)', () => {
    const reason = 'task failed after 3 attempt(s): silent';
    const escalatedByUs: JobEvent = {
      type: 'JobEscalated',
      data: { jobId, orgId, reason, escalateTo: 'owner', from: 'in_progress', escalatedBy: system, escalatedAt: now },
    };
    spec
      .given({ ...state, job: jobStateAfter([...jobHistoryTo.in_progress, escalatedByUs]), settings })
      .when(reassign(reason))
      .thenKinds(['command:ResolveEscalation']);
  });

  it('does not take a job someone else escalated, or one no longer worked on', () => {
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.escalated), settings })
      .when(reassign('silent'))
      .thenNothing();
    spec
      .given({ ...state, job: jobStateAfter(jobHistoryTo.delivered), settings })
      .when(reassign('silent'))
      .thenNothing();
    spec
      .given({ ...state, job: null, settings })
      .when(reassign('silent'))
      .thenNothing();
  });

  it('reads the open jobs of a suspended subject, once the read model has caught up with the suspension', () => {
    const subject: Subject = {
      subjectId: assigneeId,
      kind: 'agent',
      displayName: 'Agent',
      description: '',
      endpoint: null,
      status: 'suspended',
      statusReason: 'misbehaving',
      capabilities: {},
      registeredBy: system,
    };
    const suspended = event<'SubjectSuspended'>({ type: 'SubjectSuspended', data: { subjectId: assigneeId, reason: 'misbehaving' } });
    spec
      .given({ ...state, subject })
      .when(suspended)
      .thenSteps([{ kind: 'follow', input: { type: 'reassign-held-jobs', subjectId: assigneeId, position: suspended.position, eventId: suspended.eventId } }]);
    // Reinstated since (a replay): its new work stays.
    spec
      .given({ ...state, subject: { ...subject, status: 'active' } })
      .when(suspended)
      .thenNothing();
  });

  it('reassigns each held job the subject is still the assignee of', () => {
    const held = jobStateAfter(jobHistoryTo.in_progress);
    const other = jobStateAfter(jobHistoryTo.contracting);
    const decided = spec
      .given({ ...state, heldJobs: [held, other].filter((job) => job !== null) })
      .when({ type: 'reassign-held-jobs', subjectId: assigneeId, position: 7n, eventId });
    decided.thenSteps([{ kind: 'follow', input: reassign(`the assignee ${assigneeId} was suspended`) }]);
    expect(decided.steps).toHaveLength(1);
  });
});
