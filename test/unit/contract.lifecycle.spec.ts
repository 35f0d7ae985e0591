import { describe, expect, it } from 'vitest';
import type { ContractCommandType } from '../../domain/contract/commands.ts';
import { contractAccepts } from '../../domain/contract/decide.ts';
import { contractDecider } from '../../domain/contract/decider.ts';
import { finalContractStatuses, isFinalContractStatus, type ContractStatus } from '../../domain/contract/state.ts';
import { isAppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import {
  activated,
  admin,
  allContractStatuses,
  assignee,
  assigneeId,
  commandsOnAContract,
  contractContext,
  contractDrafted,
  contractId,
  contractRejected,
  contractSpec as spec,
  contractStateAfter,
  draftContract,
  finalObligation,
  fulfilled,
  historyTo,
  inAMonth,
  inAWeek,
  jobId,
  now,
  orgId,
  otherOrgId,
  reviewed,
  signed,
  system,
  terminated,
  verifierId,
} from '../support/contract-fixtures.ts';

type CommandOnAContract = Exclude<ContractCommandType, 'DraftContract'>;
const commandTypes = Object.keys(commandsOnAContract) as CommandOnAContract[];

describe('drafting a contract', () => {
  it('drafts a contract, recording who drafted it and when', () => {
    spec.given([]).when(draftContract()).thenEvents([contractDrafted()]);
  });

  it('starts awaiting signatures when no review is required, with nothing signed, breached or ended', () => {
    expect(contractStateAfter([contractDrafted()])).toEqual({
      ...contractDrafted().data,
      status: 'awaiting_signatures',
      review: null,
      signatures: { org: null, assignee: null },
      activatedAt: null,
      breaches: [],
      rejection: null,
      statusReason: null,
      endedAt: null,
    });
  });

  it('starts in review when a review is required', () => {
    spec
      .given([])
      .when(draftContract({ reviewRequired: true }))
      .thenEvents([contractDrafted({ reviewRequired: true })]);
    expect(contractStateAfter([contractDrafted({ reviewRequired: true })])?.status).toBe('in_review');
  });

  it('records the principal of the decision, not one named in the command', () => {
    spec
      .given([])
      .when(draftContract(), { principal: system, now: '2026-11-28T00:00:00.000Z' })
      .thenEvents([contractDrafted({ draftedBy: system, draftedAt: '2026-11-28T00:00:00.000Z' })]);
  });

  it('refuses to draft the same contract twice, in any status', () => {
    for (const status of allContractStatuses) {
      spec.given(historyTo[status]).when(draftContract()).thenError('CONTRACT_ALREADY_EXISTS', { contractId });
    }
  });

  it('refuses an obligation that is not due in the future', () => {
    const due = (dueAt: string) => draftContract({ obligations: [finalObligation, { obligationId: 'draft', description: 'A draft', dueAt }] });
    spec.given([]).when(due(now)).thenError('DUE_AT_IN_PAST', { obligationId: 'draft', dueAt: now, now });
    spec.given([]).when(due('2026-11-27T09:59:59.999Z')).thenError('DUE_AT_IN_PAST', { obligationId: 'draft' });
    spec.given([]).when(due('2026-11-27T10:00:00.001Z')).thenTypes(['ContractDrafted']);
  });

  it('refuses an assignee who also verifies the work (separation of duties), whatever the caller', () => {
    spec
      .given([])
      .when(draftContract({ verifierSubjectIds: [verifierId, assigneeId] }))
      .thenError('ASSIGNEE_IS_VERIFIER', { contractId, assigneeSubjectId: assigneeId });
  });
});

describe('commands on a contract that is not there', () => {
  it.each(commandTypes)('%s on a contract never drafted is CONTRACT_NOT_FOUND', (type) => {
    spec.given([]).when(commandsOnAContract[type], { principal: system }).thenError('CONTRACT_NOT_FOUND', { contractId, orgId });
  });

  it.each(commandTypes)('%s naming another org is CONTRACT_NOT_FOUND, as if the contract did not exist', (type) => {
    const command = commandsOnAContract[type];
    const elsewhere = { ...command, data: { ...command.data, orgId: otherOrgId } } as typeof command;
    spec.given(historyTo.active).when(elsewhere, { principal: system }).thenError('CONTRACT_NOT_FOUND', { contractId, orgId: otherOrgId });
  });
});

describe('the lifecycle table', () => {
  it('is the one in the design', () => {
    expect(contractAccepts).toEqual({
      in_review: ['ReviewContract', 'RejectContract', 'TerminateContract'],
      awaiting_signatures: ['SignContract', 'RejectContract', 'TerminateContract'],
      active: ['RecordBreach', 'ExtendObligation', 'FulfilContract', 'TerminateContract'],
      fulfilled: [],
      terminated: [],
      rejected: [],
    });
    expect([...finalContractStatuses].sort()).toEqual(['fulfilled', 'rejected', 'terminated']);
    expect(allContractStatuses.filter(isFinalContractStatus).sort()).toEqual(['fulfilled', 'rejected', 'terminated']);
  });

  // The platform may act for the org, and the only party rule left is the assignee's own signature, which the
  // signature spec covers: here `system` stands in for whoever the policy allowed.
  const cases = allContractStatuses.flatMap((status) => commandTypes.map((type) => [status, type] as const));
  it.each(cases)('in %s, %s is decided only if the table lists it', (status: ContractStatus, type) => {
    const outcome = contractDecider.decide(commandsOnAContract[type], contractStateAfter(historyTo[status]), { ...contractContext, principal: system });
    if (contractAccepts[status].includes(type)) {
      expect(isAppError(outcome) ? outcome.code : 'decided').toBe('decided');
      expect((outcome as readonly unknown[]).length).toBeGreaterThan(0);
    } else {
      expect(outcome).toMatchObject({ kind: 'conflict', code: 'ILLEGAL_TRANSITION', details: { contractId, status, command: type } });
    }
  });
});

describe('review', () => {
  const inReview = historyTo.in_review;

  it('approval sends the contract on to signatures', () => {
    spec
      .given(inReview)
      .when({ type: 'ReviewContract', data: { contractId, orgId, approve: true, note: 'fine' } })
      .thenEvents([reviewed(true, 'fine')]);
    const state = contractStateAfter([...inReview, reviewed(true, 'fine')]);
    expect(state).toMatchObject({ status: 'awaiting_signatures', review: { approved: true, note: 'fine', reviewedBy: admin, reviewedAt: now } });
  });

  it('disapproval rejects the contract for the org, the note being the reason', () => {
    const events = [reviewed(false, 'scope too wide'), contractRejected('org', 'scope too wide', admin)];
    spec
      .given(inReview)
      .when({ type: 'ReviewContract', data: { contractId, orgId, approve: false, note: 'scope too wide' } })
      .thenEvents(events);
    expect(contractStateAfter([...inReview, ...events])).toMatchObject({
      status: 'rejected',
      review: { approved: false },
      rejection: { party: 'org', reason: 'scope too wide', rejectedBy: admin },
      statusReason: 'scope too wide',
      endedAt: now,
    });
  });

  it('is not the assignee’s to give', () => {
    spec
      .given(inReview)
      .when(commandsOnAContract.ReviewContract, { principal: assignee })
      .thenError('ASSIGNEE_ACTS_FOR_ORG', { contractId, principal: assigneeId });
  });

  it('happens once: an approved contract cannot be reviewed again', () => {
    spec
      .given([...inReview, reviewed(true)])
      .when(commandsOnAContract.ReviewContract)
      .thenError('ILLEGAL_TRANSITION', { status: 'awaiting_signatures' });
  });
});

describe('obligations', () => {
  const extend = (obligationId: string, dueAt: string) => ({ type: 'ExtendObligation' as const, data: { contractId, orgId, obligationId, dueAt } });

  it('extends an obligation of an active contract to a later date', () => {
    spec
      .given(historyTo.active)
      .when(extend('final', inAMonth))
      .thenEvents([
        {
          type: 'ObligationExtended',
          data: { contractId, orgId, jobId, obligationId: 'final', previousDueAt: inAWeek, dueAt: inAMonth, extendedBy: admin, extendedAt: now },
        },
      ]);
    const state = contractStateAfter([
      ...historyTo.active,
      {
        type: 'ObligationExtended',
        data: { contractId, orgId, jobId, obligationId: 'final', previousDueAt: inAWeek, dueAt: inAMonth, extendedBy: admin, extendedAt: now },
      },
    ]);
    expect(state?.obligations).toEqual([{ ...finalObligation, dueAt: inAMonth }]);
  });

  it('refuses an obligation the contract does not have', () => {
    spec.given(historyTo.active).when(extend('draft', inAMonth)).thenError('OBLIGATION_NOT_FOUND', { contractId, obligationId: 'draft' });
  });

  it('refuses a date that is not later than the current one, or not in the future', () => {
    spec.given(historyTo.active).when(extend('final', '2026-12-01T00:00:00.000Z')).thenError('DUE_AT_NOT_LATER', { currentDueAt: inAWeek });
    spec.given(historyTo.active).when(extend('final', inAMonth), { now: '2027-01-01T00:00:00.000Z' }).thenError('DUE_AT_IN_PAST');
  });

  it('does nothing when the obligation is already due then (a retry)', () => {
    spec.given(historyTo.active).when(extend('final', inAWeek)).thenNothing();
  });

  it('is not the assignee’s to extend', () => {
    spec.given(historyTo.active).when(extend('final', inAMonth), { principal: assignee }).thenError('ASSIGNEE_ACTS_FOR_ORG');
  });
});

describe('ending a contract', () => {
  it('fulfils an active contract', () => {
    spec.given(historyTo.active).when(commandsOnAContract.FulfilContract).thenEvents([fulfilled]);
    expect(contractStateAfter(historyTo.fulfilled)).toMatchObject({ status: 'fulfilled', endedAt: now, statusReason: null });
  });

  it('does not let the assignee declare its own contract fulfilled', () => {
    spec.given(historyTo.active).when(commandsOnAContract.FulfilContract, { principal: assignee }).thenError('ASSIGNEE_ACTS_FOR_ORG');
  });

  it.each(['in_review', 'awaiting_signatures', 'active'] as const)('terminates a contract that is %s, recording where it was', (status) => {
    spec
      .given(historyTo[status])
      .when(commandsOnAContract.TerminateContract)
      .thenEvents([terminated(status)]);
    expect(contractStateAfter([...historyTo[status], terminated(status)])).toMatchObject({
      status: 'terminated',
      statusReason: 'job cancelled',
      endedAt: now,
    });
  });

  it('keeps a rejection final: nothing happens to a rejected contract', () => {
    const state = contractStateAfter(historyTo.rejected);
    expect(state).toMatchObject({ status: 'rejected', rejection: { party: 'assignee', reason: 'terms too tight' }, statusReason: 'terms too tight' });
    for (const type of commandTypes) {
      spec.given(historyTo.rejected).when(commandsOnAContract[type], { principal: system }).thenError('ILLEGAL_TRANSITION', { status: 'rejected' });
    }
  });

  it('leaves an ended contract’s terms and signatures as they were', () => {
    const state = contractStateAfter([...historyTo.active, terminated('active')]);
    expect(state).toMatchObject({
      permittedActions: ['task.*', 'job.deliver'],
      activatedAt: now,
      signatures: { org: { signedBy: system }, assignee: { signedBy: assignee } },
    });
  });
});

describe('evolve', () => {
  it('ignores events before the contract is drafted', () => {
    const principal: Principal = admin;
    expect(contractStateAfter([signed('org', principal), activated])).toBeNull();
  });
});
