import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../domain/job/events.ts';
import type { EscalatableJobStatus, JobStatus } from '../../domain/job/state.ts';
import {
  admin,
  assignee,
  assigneeId,
  commandsOnAJob,
  contractId,
  deliverable,
  historyTo,
  jobEscalated,
  jobId,
  jobSpec as spec,
  jobStateAfter,
  now,
  orgId,
} from '../support/job-fixtures.ts';

const escalatable: readonly EscalatableJobStatus[] = ['submitted', 'contracting', 'assigned', 'in_progress', 'delivered'];
const resolve = (resolution: 'resume' | 'cancel' | 'reassign', note?: string) =>
  ({ type: 'ResolveEscalation', data: { jobId, orgId, resolution, ...(note === undefined ? {} : { note }) } }) as const;
const resolved = (resolution: 'resume' | 'cancel' | 'reassign', status: JobStatus, note: string | null = null): JobEvent => ({
  type: 'JobEscalationResolved',
  data: { jobId, orgId, resolution, note, status, resolvedBy: admin, resolvedAt: now },
});

describe('escalating a job', () => {
  it('escalates from any open status, remembering where it came from', () => {
    for (const from of escalatable) {
      spec
        .given(historyTo[from])
        .when(commandsOnAJob.EscalateJob)
        .thenEvents([jobEscalated(from)]);
      expect(jobStateAfter([...historyTo[from], jobEscalated(from)])).toMatchObject({
        status: 'escalated',
        escalation: { reason: 'stuck', escalateTo: 'board', from, escalatedBy: admin, escalatedAt: now },
      });
    }
  });

  it('does not escalate an escalated job again, nor a finished one', () => {
    for (const status of ['escalated', 'verified', 'rejected', 'failed', 'cancelled'] as const) {
      spec.given(historyTo[status]).when(commandsOnAJob.EscalateJob).thenError('ILLEGAL_TRANSITION', { status, command: 'EscalateJob' });
    }
  });

  it('holds the job while escalated: no work happens until the escalation is resolved (or the job cancelled)', () => {
    const given = [...historyTo.in_progress, jobEscalated('in_progress')];
    spec.given(given).when(commandsOnAJob.DeliverJob, { principal: assignee }).thenError('ILLEGAL_TRANSITION', { status: 'escalated' });
    spec.given(given).when(commandsOnAJob.FailJob).thenError('ILLEGAL_TRANSITION', { status: 'escalated' });
    spec.given(given).when(commandsOnAJob.CancelJob).thenTypes(['JobCancelled']);
  });

  it('refuses to resolve an escalation that is not open', () => {
    for (const status of ['submitted', 'in_progress', 'delivered', 'cancelled'] as const) {
      spec.given(historyTo[status]).when(resolve('resume')).thenError('ILLEGAL_TRANSITION', { status, command: 'ResolveEscalation' });
    }
  });
});

describe('resolving an escalation', () => {
  it('resumes the job where it was, keeping its assignment and delivery', () => {
    for (const from of escalatable) {
      const given = [...historyTo[from], jobEscalated(from)];
      spec
        .given(given)
        .when(resolve('resume', 'carry on'))
        .thenEvents([resolved('resume', from, 'carry on')]);
      const after = jobStateAfter([...given, resolved('resume', from, 'carry on')]);
      const before = jobStateAfter(historyTo[from]);
      expect(after).toEqual({ ...before, escalation: null });
    }
  });

  it('cancels the job, with the note (or else the escalation reason) as the reason', () => {
    const given = [...historyTo.assigned, jobEscalated('assigned')];
    spec
      .given(given)
      .when(resolve('cancel', 'not worth it'))
      .thenEvents([resolved('cancel', 'cancelled', 'not worth it')]);
    expect(jobStateAfter([...given, resolved('cancel', 'cancelled', 'not worth it')])).toMatchObject({
      status: 'cancelled',
      statusReason: 'not worth it',
      escalation: null,
    });
    expect(jobStateAfter([...given, resolved('cancel', 'cancelled')])).toMatchObject({ status: 'cancelled', statusReason: 'stuck' });
  });

  it('reassigns: back to contracting, the assignee and any delivery released', () => {
    const given = [...historyTo.delivered, jobEscalated('delivered')];
    spec
      .given(given)
      .when(resolve('reassign'))
      .thenEvents([resolved('reassign', 'contracting')]);
    const after = jobStateAfter([...given, resolved('reassign', 'contracting')]);
    expect(after).toMatchObject({ status: 'contracting', assignment: null, delivery: null, escalation: null });
  });

  it('makes a round trip: escalated while in progress, reassigned, contracted anew, delivered and verified', () => {
    const newAssignee = 'eeeeeeee-0000-4000-8000-000000000005';
    const newContract = 'ffffffff-0000-4000-8000-000000000006';
    const history: JobEvent[] = [...historyTo.in_progress, jobEscalated('in_progress'), resolved('reassign', 'contracting')];
    spec
      .given(history)
      .when({ type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: newAssignee, contractId: newContract } })
      .thenEvents([{ type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId: newAssignee, contractId: newContract } }]);
    history.push({ type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId: newAssignee, contractId: newContract } });
    // The first assignee no longer holds the job.
    spec.given(history).when(commandsOnAJob.StartWork, { principal: assignee }).thenError('NOT_THE_ASSIGNEE');
    const newcomer = { id: newAssignee, kind: 'subject' } as const;
    spec.given(history).when(commandsOnAJob.StartWork, { principal: newcomer }).thenTypes(['JobWorkStarted']);
    history.push({ type: 'JobWorkStarted', data: { jobId, orgId } });
    spec.given(history).when(commandsOnAJob.DeliverJob, { principal: newcomer }).thenTypes(['JobDelivered']);
    history.push({ type: 'JobDelivered', data: { jobId, orgId, deliverable, note: null, deliveredBy: newcomer, deliveredAt: now } });
    spec.given(history).when(commandsOnAJob.VerifyJob).thenTypes(['JobVerified']);
    expect(jobStateAfter(history)).toMatchObject({ status: 'delivered', assignment: { assigneeSubjectId: newAssignee, contractId: newContract } });
    expect(jobStateAfter(historyTo.in_progress)).toMatchObject({ assignment: { assigneeSubjectId: assigneeId, contractId } });
  });
});

describe('raising an open escalation up the escalation path', () => {
  const raise = (escalateTo: string) => ({ type: 'RaiseEscalation', data: { jobId, orgId, reason: 'unresolved for an hour', escalateTo } }) as const;
  const given = [...historyTo.in_progress, jobEscalated('in_progress')];

  it('sends it to the next role, keeping where the job came from', () => {
    spec
      .given(given)
      .when(raise('owner'))
      .thenEvents([
        {
          type: 'JobEscalationRaised',
          data: { jobId, orgId, reason: 'unresolved for an hour', escalateTo: 'owner', previousEscalateTo: 'board', raisedBy: admin, raisedAt: now },
        },
      ]);
    const raised = jobStateAfter([
      ...given,
      { type: 'JobEscalationRaised', data: { jobId, orgId, reason: 'r', escalateTo: 'owner', previousEscalateTo: 'board', raisedBy: admin, raisedAt: now } },
    ]);
    expect(raised).toMatchObject({ status: 'escalated', escalation: { escalateTo: 'owner', from: 'in_progress', reason: 'stuck' } });
  });

  it('does nothing when the escalation is already with that role (a retried raise)', () => {
    spec.given(given).when(raise('board')).thenNothing();
  });

  it('raises only an open escalation', () => {
    for (const status of ['submitted', 'in_progress', 'delivered', 'cancelled'] as const) {
      spec.given(historyTo[status]).when(raise('owner')).thenError('ILLEGAL_TRANSITION', { status, command: 'RaiseEscalation' });
    }
  });
});
