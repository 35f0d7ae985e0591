import { describe, expect, it } from 'vitest';
import type { JobCommandType } from '../../domain/job/commands.ts';
import { jobDecider } from '../../domain/job/decider.ts';
import { escalatableJobStatusSchema, finalJobStatuses, isEscalatableJobStatus, type JobStatus } from '../../domain/job/state.ts';
import { BY_RESOLUTION, jobTransitions } from '../../domain/job/transitions.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import {
  admin,
  allJobStatuses,
  assignee,
  assigneeId,
  commandsOnAJob,
  contractId,
  contractingStarted,
  deliverable,
  deliveryRejected,
  historyTo,
  jobAssigned,
  jobCancelled,
  jobContext,
  jobDelivered,
  jobFailed,
  jobId,
  jobSpec as spec,
  jobStateAfter,
  jobSubmitted,
  jobVerified,
  later,
  now,
  orgId,
  otherOrgId,
  submitJob,
  verifier,
  verifierId,
  workStarted,
} from '../support/job-fixtures.ts';

describe('job submission', () => {
  it('submits a job, recording who submitted it and when', () => {
    spec.given([]).when(submitJob()).thenEvents([jobSubmitted()]);
  });

  it('records every optional field when given', () => {
    const options = {
      deadline: later,
      priority: 'critical' as const,
      outputTemplate: { summary: 'string', pages: 'number' },
      budget: { amount: 120.5, currency: 'EUR' },
      assignmentStrategy: 'direct' as const,
      directAssignee: assigneeId,
    };
    spec
      .given([])
      .when(submitJob(options))
      .thenEvents([jobSubmitted(options)]);
  });

  it('starts submitted, with nothing assigned, delivered or escalated', () => {
    expect(jobStateAfter([jobSubmitted()])).toEqual({
      ...jobSubmitted().data,
      status: 'submitted',
      assignment: null,
      delivery: null,
      verification: null,
      escalation: null,
      statusReason: null,
    });
  });

  it('refuses to submit the same job twice, in any status', () => {
    for (const status of allJobStatuses) {
      spec.given(historyTo[status]).when(submitJob()).thenError('JOB_ALREADY_EXISTS', { jobId });
    }
  });

  it('accepts jobs only into an org that exists and is active', () => {
    spec.given([]).when(submitJob(), { orgStatus: null }).thenError('ORG_NOT_FOUND', { orgId });
    spec.given([]).when(submitJob(), { orgStatus: undefined }).thenError('ORG_NOT_FOUND', { orgId });
    spec.given([]).when(submitJob(), { orgStatus: 'suspended' }).thenError('ORG_NOT_ACTIVE', { orgId, status: 'suspended' });
    spec.given([]).when(submitJob(), { orgStatus: 'archived' }).thenError('ORG_NOT_ACTIVE', { orgId, status: 'archived' });
  });

  it('refuses a deadline that is not in the future at submission', () => {
    spec
      .given([])
      .when(submitJob({ deadline: '2026-11-27T09:59:59.999Z' }))
      .thenError('DEADLINE_IN_PAST', { deadline: '2026-11-27T09:59:59.999Z', now });
    spec
      .given([])
      .when(submitJob({ deadline: now }))
      .thenError('DEADLINE_IN_PAST');
    spec
      .given([])
      .when(submitJob({ deadline: '2026-11-27T10:00:00.001Z' }))
      .thenTypes(['JobSubmitted']);
  });
});

describe('the open-jobs quota', () => {
  it('accepts a job while the org is below its quota', () => {
    spec.given([]).when(submitJob(), { openJobs: 99, maxOpenJobs: 100 }).thenTypes(['JobSubmitted']);
    spec.given([]).when(submitJob(), { openJobs: 0, maxOpenJobs: 1 }).thenTypes(['JobSubmitted']);
  });

  it('refuses a job that would take the org past its quota', () => {
    spec.given([]).when(submitJob(), { openJobs: 100, maxOpenJobs: 100 }).thenError('QUOTA_EXCEEDED', { orgId, openJobs: 100, maxOpenJobs: 100 });
    spec.given([]).when(submitJob(), { openJobs: 120, maxOpenJobs: 100 }).thenError('QUOTA_EXCEEDED', { openJobs: 120 });
    spec.given([]).when(submitJob(), { openJobs: 0, maxOpenJobs: 0 }).thenError('QUOTA_EXCEEDED', { openJobs: 0, maxOpenJobs: 0 });
  });

  it('refuses rather than guesses when the count was not loaded', () => {
    spec.given([]).when(submitJob(), { openJobs: undefined }).thenError('QUOTA_UNKNOWN', { orgId });
    spec.given([]).when(submitJob(), { maxOpenJobs: undefined }).thenError('QUOTA_UNKNOWN', { orgId });
  });

  it('concerns submission only: a job of a full org still moves along its lifecycle', () => {
    spec
      .given(historyTo.submitted)
      .when(commandsOnAJob.StartContracting, { openJobs: 500, maxOpenJobs: 1, orgStatus: undefined })
      .thenEvents([contractingStarted]);
  });
});

describe('job lifecycle', () => {
  it('walks submitted -> contracting -> assigned -> in_progress -> delivered -> verified', () => {
    spec.given(historyTo.submitted).when(commandsOnAJob.StartContracting).thenEvents([contractingStarted]);
    spec.given(historyTo.contracting).when(commandsOnAJob.AssignJob).thenEvents([jobAssigned]);
    spec.given(historyTo.assigned).when(commandsOnAJob.StartWork, { principal: assignee }).thenEvents([workStarted]);
    spec.given(historyTo.in_progress).when(commandsOnAJob.DeliverJob, { principal: assignee }).thenEvents([jobDelivered]);
    spec.given(historyTo.delivered).when(commandsOnAJob.VerifyJob, { principal: verifier }).thenEvents([jobVerified]);
  });

  it('records notes on a delivery and a verification', () => {
    spec
      .given(historyTo.in_progress)
      .when({ type: 'DeliverJob', data: { jobId, orgId, deliverable: 'plain text', note: 'first draft' } }, { principal: assignee })
      .thenEvents([{ type: 'JobDelivered', data: { jobId, orgId, deliverable: 'plain text', note: 'first draft', deliveredBy: assignee, deliveredAt: now } }]);
    spec
      .given(historyTo.delivered)
      .when({ type: 'VerifyJob', data: { jobId, orgId, note: 'good' } }, { principal: verifier })
      .thenEvents([{ type: 'JobVerified', data: { jobId, orgId, note: 'good', verifiedBy: verifier, verifiedAt: now } }]);
  });

  it('keeps the assignment, the delivery and the verification in the state', () => {
    expect(jobStateAfter(historyTo.verified)).toMatchObject({
      status: 'verified',
      assignment: { assigneeSubjectId: assigneeId, contractId },
      delivery: { deliverable, note: null, deliveredBy: assignee, deliveredAt: now },
      verification: { verifiedBy: verifier, note: null, verifiedAt: now },
      statusReason: null,
    });
  });

  it('rejects a delivery, which ends the job with the reason', () => {
    spec.given(historyTo.delivered).when(commandsOnAJob.RejectDelivery, { principal: verifier }).thenEvents([deliveryRejected]);
    expect(jobStateAfter(historyTo.rejected)).toMatchObject({ status: 'rejected', statusReason: 'too long', delivery: { deliverable } });
  });

  it('fails an assigned or in-progress job', () => {
    spec.given(historyTo.assigned).when(commandsOnAJob.FailJob).thenEvents([jobFailed]);
    spec.given(historyTo.in_progress).when(commandsOnAJob.FailJob).thenEvents([jobFailed]);
    expect(jobStateAfter(historyTo.failed)).toMatchObject({ status: 'failed', statusReason: 'agent crashed' });
  });

  it('cancels a job in any open status', () => {
    for (const status of ['submitted', 'contracting', 'assigned', 'in_progress', 'delivered', 'escalated'] as const) {
      spec.given(historyTo[status]).when(commandsOnAJob.CancelJob).thenEvents([jobCancelled]);
      expect(jobStateAfter([...historyTo[status], jobCancelled])).toMatchObject({ status: 'cancelled', statusReason: 'no longer needed', escalation: null });
    }
  });

  it('refuses commands on a job that does not exist', () => {
    for (const command of Object.values(commandsOnAJob)) {
      spec.given([]).when(command).thenError('JOB_NOT_FOUND', { jobId, orgId });
    }
  });

  it('treats a job named with another org as absent, whatever its status', () => {
    for (const status of allJobStatuses) {
      for (const command of Object.values(commandsOnAJob)) {
        const elsewhere = { ...command, data: { ...command.data, orgId: otherOrgId } } as typeof command;
        spec.given(historyTo[status]).when(elsewhere).thenError('JOB_NOT_FOUND', { jobId, orgId: otherOrgId });
      }
    }
  });
});

describe('the transition table', () => {
  /** The context under which each command is acted by the party entitled to it, so only the table can refuse it. */
  const entitled: Partial<Record<JobCommandType, typeof jobContext>> = {
    StartWork: { ...jobContext, principal: assignee },
    DeliverJob: { ...jobContext, principal: assignee },
    VerifyJob: { ...jobContext, principal: verifier },
    RejectDelivery: { ...jobContext, principal: verifier },
  };

  it('refuses every command a status does not list as ILLEGAL_TRANSITION, with the job, status and command', () => {
    let refusals = 0;
    for (const status of allJobStatuses) {
      for (const [type, command] of Object.entries(commandsOnAJob)) {
        if (jobTransitions[status][command.type] !== undefined) continue;
        refusals += 1;
        spec
          .given(historyTo[status])
          .when(command, entitled[command.type] ?? {})
          .thenError('ILLEGAL_TRANSITION', { jobId, status, command: type });
      }
    }
    // 10 statuses x 11 commands, less the 21 transitions the table lists.
    expect(refusals).toBe(89);
  });

  it('accepts exactly what the table lists, and lands in the status it names', () => {
    for (const status of allJobStatuses) {
      for (const command of Object.values(commandsOnAJob)) {
        const target = jobTransitions[status][command.type];
        const outcome = jobDecider.decide(command, jobStateAfter(historyTo[status]), entitled[command.type] ?? jobContext);
        expect(isAppError(outcome), `${command.type} while ${status}`).toBe(target === undefined);
        if (target === undefined || isAppError(outcome)) continue;
        const after = jobStateAfter([...historyTo[status], ...outcome]);
        // The escalated fixture came from in_progress; `resume` (the fixture's resolution) returns it there.
        expect(after?.status, `${command.type} while ${status}`).toBe(target === BY_RESOLUTION ? 'in_progress' : target);
      }
    }
  });

  it('makes verified, rejected, failed and cancelled final, and only those', () => {
    const final = (Object.keys(jobTransitions) as JobStatus[]).filter((status) => Object.keys(jobTransitions[status]).length === 0);
    expect(final.sort()).toEqual([...finalJobStatuses].sort());
  });

  it('escalates from exactly the statuses an escalation can resume to', () => {
    const escalatable = allJobStatuses.filter((status) => jobTransitions[status].EscalateJob !== undefined);
    expect(escalatable.sort()).toEqual([...escalatableJobStatusSchema.options].sort());
    expect(escalatable.every(isEscalatableJobStatus)).toBe(true);
  });

  it('has no stray entries: each status of the table is one the job can be in', () => {
    expect(Object.keys(jobTransitions).sort()).toEqual([...allJobStatuses].sort());
  });
});

describe('a job decided by the platform', () => {
  it('lets an admin or the system start, deliver, verify and reject on behalf of the parties', () => {
    for (const principal of [admin, { id: 'system', kind: 'system' } as const]) {
      spec.given(historyTo.assigned).when(commandsOnAJob.StartWork, { principal }).thenTypes(['JobWorkStarted']);
      spec.given(historyTo.in_progress).when(commandsOnAJob.DeliverJob, { principal }).thenTypes(['JobDelivered']);
      spec.given(historyTo.delivered).when(commandsOnAJob.VerifyJob, { principal }).thenTypes(['JobVerified']);
      spec.given(historyTo.delivered).when(commandsOnAJob.RejectDelivery, { principal }).thenTypes(['JobDeliveryRejected']);
    }
  });

  it('keeps the verifier list as submitted', () => {
    expect(jobStateAfter(historyTo.delivered)?.verifierSubjectIds).toEqual([verifierId]);
  });
});
