import { describe, it } from 'vitest';
import {
  assignee,
  commandsOnAJob,
  historyTo,
  jobId,
  jobSpec as spec,
  jobSubmitted,
  orgId,
  stranger,
  strangerId,
  verifier,
  verifierId,
  contractingStarted,
  contractId,
} from '../support/job-fixtures.ts';

describe('who may start and deliver the work', () => {
  it('is the assignee', () => {
    spec.given(historyTo.assigned).when(commandsOnAJob.StartWork, { principal: assignee }).thenTypes(['JobWorkStarted']);
    spec.given(historyTo.in_progress).when(commandsOnAJob.DeliverJob, { principal: assignee }).thenTypes(['JobDelivered']);
  });

  it('is not another subject, not even a verifier of the job', () => {
    for (const principal of [stranger, verifier]) {
      spec.given(historyTo.assigned).when(commandsOnAJob.StartWork, { principal }).thenError('NOT_THE_ASSIGNEE', { jobId, principal: principal.id });
      spec.given(historyTo.in_progress).when(commandsOnAJob.DeliverJob, { principal }).thenError('NOT_THE_ASSIGNEE', { jobId, principal: principal.id });
    }
  });
});

describe('who may accept or reject a delivery', () => {
  it('is a verifier named at submission', () => {
    spec.given(historyTo.delivered).when(commandsOnAJob.VerifyJob, { principal: verifier }).thenTypes(['JobVerified']);
    spec.given(historyTo.delivered).when(commandsOnAJob.RejectDelivery, { principal: verifier }).thenTypes(['JobDeliveryRejected']);
  });

  it('is any one of several verifiers', () => {
    const given = [jobSubmitted({ verifierSubjectIds: [strangerId, verifierId] }), ...historyTo.delivered.slice(1)];
    spec.given(given).when(commandsOnAJob.VerifyJob, { principal: stranger }).thenTypes(['JobVerified']);
    spec.given(given).when(commandsOnAJob.VerifyJob, { principal: verifier }).thenTypes(['JobVerified']);
  });

  it('is not the assignee, nor a subject that is not a verifier', () => {
    for (const principal of [assignee, stranger]) {
      spec.given(historyTo.delivered).when(commandsOnAJob.VerifyJob, { principal }).thenError('NOT_THE_VERIFIER', { jobId, principal: principal.id });
      spec.given(historyTo.delivered).when(commandsOnAJob.RejectDelivery, { principal }).thenError('NOT_THE_VERIFIER', { jobId, principal: principal.id });
    }
  });

  it('is only the admin or the platform when the job names no verifier', () => {
    const given = [jobSubmitted({ completionMode: 'single', verifierSubjectIds: [] }), ...historyTo.delivered.slice(1)];
    spec.given(given).when(commandsOnAJob.VerifyJob, { principal: verifier }).thenError('NOT_THE_VERIFIER');
    spec.given(given).when(commandsOnAJob.VerifyJob).thenTypes(['JobVerified']);
  });
});

describe('separation of duties', () => {
  it('refuses to assign the job to one of its verifiers', () => {
    spec
      .given([jobSubmitted(), contractingStarted])
      .when({ type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: verifierId, contractId } })
      .thenError('ASSIGNEE_IS_VERIFIER', { jobId, assigneeSubjectId: verifierId });
  });

  it('checks the lifecycle before the party: a job not yet delivered cannot be verified by anyone', () => {
    spec.given(historyTo.in_progress).when(commandsOnAJob.VerifyJob, { principal: stranger }).thenError('ILLEGAL_TRANSITION', { status: 'in_progress' });
  });
});
