import { describe, expect, it } from 'vitest';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import { activated, contractDrafted, contractStateAfter, signed } from '../support/contract-fixtures.ts';
import { admin, assigneeId, contractingStarted, jobEscalated, jobId, jobSubmitted, now, orgId } from '../support/job-fixtures.ts';
import {
  assessed,
  type AssignmentStep,
  awarded,
  completed,
  contractOf,
  eligible,
  escalatedAssignment,
  event,
  failRoundStep,
  roundFailed,
  spec,
  started,
  stateWith,
} from './assignment-saga.support.ts';

const contractId = contractOf(1);
const awardedRound = [started('criteria'), assessed(1, [eligible(assigneeId)]), awarded(1, assigneeId)];
const openOffer = contractStateAfter([contractDrafted({ contractId }), signed('org')]);
const signedOffer = contractStateAfter([contractDrafted({ contractId }), signed('org'), signed('assignee'), activated]);
const onHold = [jobSubmitted(), contractingStarted, jobEscalated('contracting')];
const resolved = (resolution: 'reassign' | 'resume' | 'extend' | 'cancel', status: 'contracting' | 'cancelled' | 'in_progress' = 'contracting') =>
  event<'JobEscalationResolved'>({ type: 'JobEscalationResolved', data: { jobId, orgId, resolution, note: null, status, resolvedBy: admin, resolvedAt: now } });
const cancelAssignment: AssignmentStep = {
  kind: 'command',
  command: { aggregate: 'assignment', type: 'CancelAssignment', data: { jobId, orgId, reason: 'the job was cancelled' } },
  commandId: `assign:${jobId}:cancel`,
};
const terminate = (reason: string): AssignmentStep => ({
  kind: 'command',
  command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
  commandId: `assign:${contractId}:terminate`,
});

describe('assignment workflow: no assignee found', () => {
  const escalated = (reason: string) => event<'AssignmentEscalated'>({ type: 'AssignmentEscalated', data: { jobId, orgId, reason, rounds: 3 } });
  const exhausted = [started('criteria', 1), assessed(1, []), roundFailed(1), escalatedAssignment(1)];

  it('escalates the job to the org’s `work.escalateTo` role', () => {
    spec
      .given(stateWith(exhausted, { settings: workSettingsOf({ 'work.escalateTo': 'board' }) }))
      .when(escalated('no eligible candidate'))
      .thenSteps([
        {
          kind: 'command',
          command: { aggregate: 'job', type: 'EscalateJob', data: { jobId, orgId, reason: 'no assignee found: no eligible candidate', escalateTo: 'board' } },
          // The id carries the assignment's round: the one after the last that failed.
          commandId: `assign:${jobId}:escalate:2`,
        },
      ]);
  });

  it('does not escalate a job escalated already, or an assignment that is not escalated', () => {
    spec
      .given(stateWith(exhausted, { jobEvents: onHold }))
      .when(escalated('x'))
      .thenNothing();
    spec.given(stateWith(awardedRound)).when(escalated('x')).thenNothing();
  });
});

describe('assignment workflow: the job cancelled before it was assigned', () => {
  const cancelled = () => event<'JobCancelled'>({ type: 'JobCancelled', data: { jobId, orgId, reason: 'no longer needed' } });

  it('cancels the assignment and terminates an offer still open', () => {
    spec
      .given(stateWith(awardedRound, { contract: openOffer }))
      .when(cancelled())
      .thenSteps([cancelAssignment, terminate('the job was cancelled')]);
    spec
      .given(stateWith(awardedRound, { contract: openOffer }))
      .when(resolved('cancel', 'cancelled'))
      .thenSteps([cancelAssignment, terminate('the job was cancelled')]);
  });

  it('only cancels the assignment when no offer is open', () => {
    spec
      .given(stateWith([started('criteria')]))
      .when(cancelled())
      .thenSteps([cancelAssignment]);
    const over = contractStateAfter([
      contractDrafted({ contractId }),
      {
        type: 'ContractRejected',
        data: { contractId, orgId, jobId, party: 'assignee', reason: 'no', assigneeSubjectId: assigneeId, rejectedBy: admin, rejectedAt: now },
      },
    ]);
    spec
      .given(stateWith(awardedRound, { contract: over }))
      .when(cancelled())
      .thenSteps([cancelAssignment]);
    spec
      .given(stateWith([], { assignment: null }))
      .when(cancelled())
      .thenNothing();
  });
});

describe('assignment workflow: an escalation resolved, the job back to contracting', () => {
  it('restarts a completed assignment without its assignee on `reassign`, and as it was otherwise', () => {
    const done = [...awardedRound, completed(1, assigneeId)];
    for (const [resolution, exclude] of [
      ['reassign', [assigneeId]],
      ['resume', []],
    ] as const) {
      const input = resolved(resolution);
      spec
        .given(stateWith(done))
        .when(input)
        .thenSteps([
          {
            kind: 'command',
            command: {
              aggregate: 'assignment',
              type: 'RestartAssignment',
              data: { jobId, orgId, reason: `the job went back to contracting (${resolution})`, exclude: [...exclude] },
            },
            commandId: `assign:${jobId}:restart:${input.eventId}`,
          },
        ]);
    }
  });

  it('restarts an escalated assignment afresh', () => {
    const decided = spec.given(stateWith([started('criteria', 1), assessed(1, []), roundFailed(1), escalatedAssignment(1)])).when(resolved('reassign'));
    expect(decided.steps).toMatchObject([{ command: { type: 'RestartAssignment', data: { exclude: [] } } }]);
  });

  it('drops an award on `reassign`: its contract is terminated and the round fails', () => {
    spec
      .given(stateWith(awardedRound, { contract: openOffer }))
      .when(resolved('reassign'))
      .thenSteps([terminate('the job was reassigned before it was assigned'), failRoundStep(1, 'assignee_lost', 'the job was reassigned by its escalatee')]);
  });

  it('assigns now an offer signed while the job was on hold, and waits for one still open', () => {
    spec
      .given(stateWith(awardedRound, { contract: signedOffer }))
      .when(resolved('resume'))
      .thenKinds(['command:AssignJob', 'command:CompleteAssignment']);
    spec
      .given(stateWith(awardedRound, { contract: openOffer }))
      .when(resolved('extend'))
      .thenNothing();
  });

  it('runs a round that is still to be assessed', () => {
    spec
      .given(stateWith([started('criteria')]))
      .when(resolved('resume'))
      .thenSteps([{ kind: 'follow', input: { type: 'assess-round', jobId } }]);
  });

  it('does nothing for a resolution that leaves the job elsewhere', () => {
    spec
      .given(stateWith(awardedRound, { contract: signedOffer }))
      .when(resolved('resume', 'in_progress'))
      .thenNothing();
  });
});
