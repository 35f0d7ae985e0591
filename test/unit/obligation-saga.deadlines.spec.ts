import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../domain/job/state.ts';
import { decideObligations } from '../../processes/work/obligation/decide.ts';
import { noObligationState } from '../../processes/work/obligation/state.ts';
import { OBLIGATION_DUE } from '../../processes/work/obligation/timer-ref.ts';
import type { WorkStep } from '../../processes/work/work-command.ts';
import {
  contractDrafted,
  contractStateAfter,
  finalObligation,
  historyTo as contractHistoryTo,
  inAWeek,
  obligationExtended,
} from '../support/contract-fixtures.ts';
import { contractId, historyTo as jobHistoryTo, jobId, jobStateAfter, now, orgId } from '../support/job-fixtures.ts';
import { placed, placedAs, workflowSpec } from '../support/workflow-spec.ts';

const spec = workflowSpec(decideObligations, { now });
const activeContract = contractStateAfter(contractHistoryTo.active);
const jobIn = (status: JobStatus) => jobStateAfter(jobHistoryTo[status]);
const dueTimer = (dueAt: string, obligationId = 'final') => ({
  key: `${OBLIGATION_DUE}:${contractId}:${obligationId}:${dueAt}`,
  orgId,
  dueAt,
  purpose: OBLIGATION_DUE,
  ref: { contractId, obligationId, dueAt },
});
const obligationDue = (dueAt = inAWeek, obligationId = 'final') =>
  placed({
    type: 'TimerFired',
    data: { timerId: '99999999-9999-4999-8999-999999999999', orgId, purpose: OBLIGATION_DUE, ref: { contractId, obligationId, dueAt }, dueAt, firedAt: dueAt },
  });
const breach = (status: JobStatus): WorkStep<never> => ({
  kind: 'command',
  command: {
    aggregate: 'contract',
    type: 'RecordBreach',
    data: {
      contractId,
      orgId,
      breachId: `deadline:final:${inAWeek}`,
      kind: 'deadline_missed',
      clause: 'obligations.final',
      details: `${finalObligation.description} was due at ${inAWeek}; the job is ${status}`,
    },
  },
  commandId: `obligation:${contractId}:final:${inAWeek}:breach`,
});

describe('obligations workflow: each obligation of an active contract is a deadline', () => {
  it('sets a timer per obligation when the contract becomes active, keyed by its due time', () => {
    const second = { obligationId: 'draft', description: 'A first draft', dueAt: now };
    const contract = contractStateAfter([contractDrafted({ obligations: [second, finalObligation] }), ...contractHistoryTo.active.slice(1)]);
    spec
      .given({ ...noObligationState, contract })
      .when(placed({ type: 'ContractActivated', data: { contractId, orgId, jobId, assigneeSubjectId: 'a', activatedAt: now } }))
      .thenSteps([
        { kind: 'schedule', timer: dueTimer(now, 'draft') },
        { kind: 'schedule', timer: dueTimer(inAWeek) },
      ]);
  });

  it('sets the timer of an extended obligation anew, at its new due time', () => {
    spec
      .given(noObligationState)
      .when(placedAs('ObligationExtended', obligationExtended(now, inAWeek)))
      .thenSteps([{ kind: 'schedule', timer: dueTimer(inAWeek) }]);
  });

  it('records the breach and escalates the job to the contract’s role when the deadline passes undelivered', () => {
    spec
      .given({ contract: activeContract, job: jobIn('in_progress') })
      .when(obligationDue())
      .thenSteps([
        breach('in_progress'),
        {
          kind: 'command',
          command: {
            aggregate: 'job',
            type: 'EscalateJob',
            data: { jobId, orgId, reason: `missed deadline: ${finalObligation.description} was due at ${inAWeek}`, escalateTo: 'board' },
          },
          commandId: `obligation:${contractId}:final:${inAWeek}:escalate`,
        },
      ]);
  });

  it('escalates to the owner when the contract names no role', () => {
    const contract = contractStateAfter([contractDrafted({ escalateTo: null }), ...contractHistoryTo.active.slice(1)]);
    const decided = spec.given({ contract, job: jobIn('assigned') }).when(obligationDue());
    decided.thenKinds(['command:RecordBreach', 'command:EscalateJob']);
    expect(decided.steps[1]).toMatchObject({ command: { type: 'EscalateJob', data: { escalateTo: 'owner' } } });
  });

  it('records the breach of a job already escalated without escalating it again', () => {
    spec
      .given({ contract: activeContract, job: jobIn('escalated') })
      .when(obligationDue())
      .thenSteps([breach('escalated')]);
  });

  it('does nothing once the job is delivered or verified, or the contract is no longer active', () => {
    spec
      .given({ contract: activeContract, job: jobIn('delivered') })
      .when(obligationDue())
      .thenNothing();
    spec
      .given({ contract: activeContract, job: jobIn('verified') })
      .when(obligationDue())
      .thenNothing();
    spec
      .given({ contract: contractStateAfter(contractHistoryTo.terminated), job: jobIn('in_progress') })
      .when(obligationDue())
      .thenNothing();
    spec
      .given({ contract: null, job: jobIn('in_progress') })
      .when(obligationDue())
      .thenNothing();
  });

  it('leaves an obligation extended since (a later timer keeps it) or unknown alone', () => {
    spec
      .given({ contract: activeContract, job: jobIn('in_progress') })
      .when(obligationDue(now))
      .thenNothing();
    spec
      .given({ contract: activeContract, job: jobIn('in_progress') })
      .when(obligationDue(inAWeek, 'other'))
      .thenNothing();
  });

  it('does nothing when the job is worked under another contract by now', () => {
    spec
      .given({ contract: activeContract, job: jobIn('contracting') })
      .when(obligationDue())
      .thenNothing();
  });
});
