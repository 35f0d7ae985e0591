import { describe, it } from 'vitest';
import type { JobEvent } from '../../domain/job/events.ts';
import { admin, assigneeId, contractingStarted, jobEscalated, jobId, jobSubmitted, now, orgId, otherOrgId } from '../support/job-fixtures.ts';
import { assessed, type AssignmentStep, awarded, contractOf, eligible, event, failRoundStep, spec, started, stateWith } from './assignment-saga.support.ts';

const contractId = contractOf(1);
const awardedRound = [started('criteria'), assessed(1, [eligible(assigneeId)]), awarded(1, assigneeId)];
const contractActivated = (org = orgId) =>
  event<'ContractActivated'>({ type: 'ContractActivated', data: { contractId, orgId: org, jobId, assigneeSubjectId: assigneeId, activatedAt: now } });
const assignJob: AssignmentStep = {
  kind: 'command',
  command: { aggregate: 'job', type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId: assigneeId, contractId } },
  commandId: `assign:${contractId}:assign-job`,
  ifRefused: 'stop',
};
const complete: AssignmentStep = {
  kind: 'command',
  command: { aggregate: 'assignment', type: 'CompleteAssignment', data: { jobId, orgId, contractId } },
  commandId: `assign:${contractId}:complete`,
};

describe('assignment workflow: the contract signed by the assignee', () => {
  it('assigns the job under the contract, then completes the assignment (not if the job refuses it)', () => {
    spec.given(stateWith(awardedRound)).when(contractActivated()).thenSteps([assignJob, complete]);
  });

  it('only completes the assignment of a job assigned already under it (a replay)', () => {
    const assignedEvent: JobEvent = { type: 'JobAssigned', data: { jobId, orgId, assigneeSubjectId: assigneeId, contractId } };
    spec
      .given(stateWith(awardedRound, { jobEvents: [jobSubmitted(), contractingStarted, assignedEvent] }))
      .when(contractActivated())
      .thenSteps([complete]);
  });

  it('waits for the escalation of a job on hold to be resolved', () => {
    spec
      .given(stateWith(awardedRound, { jobEvents: [jobSubmitted(), contractingStarted, jobEscalated('contracting')] }))
      .when(contractActivated())
      .thenNothing();
  });

  it('ignores the contract of another award or another org', () => {
    spec
      .given(stateWith([started('criteria'), assessed(1, [eligible(assigneeId)])]))
      .when(contractActivated())
      .thenNothing();
    spec.given(stateWith(awardedRound)).when(contractActivated(otherOrgId)).thenNothing();
  });
});

describe('assignment workflow: the contract rejected', () => {
  const rejected = (party: 'org' | 'assignee') =>
    event<'ContractRejected'>({
      type: 'ContractRejected',
      data: { contractId, orgId, jobId, party, reason: 'terms too tight', assigneeSubjectId: assigneeId, rejectedBy: admin, rejectedAt: now },
    });

  it('fails the round, so the next one runs without the refuser', () => {
    spec
      .given(stateWith(awardedRound))
      .when(rejected('assignee'))
      .thenSteps([failRoundStep(1, 'contract_rejected', 'the assignee rejected the contract: terms too tight')]);
  });

  it('does nothing once the round has moved on', () => {
    spec
      .given(stateWith([...awardedRound, { type: 'AssignmentRoundFailed', data: { jobId, orgId, round: 1, reason: 'contract_rejected', detail: 'x' } }]))
      .when(rejected('org'))
      .thenNothing();
  });
});
