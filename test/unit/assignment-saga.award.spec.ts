import { describe, expect, it } from 'vitest';
import { agentInboxSubject } from '../../domain/agent-protocol/subjects.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import { appError } from '../../domain/shared/app-error.ts';
import type { AssignmentFollowUp } from '../../processes/work/assignment/follow-ups.ts';
import { SIGNATURE_DUE } from '../../processes/work/assignment/timer-refs.ts';
import { activated, contractDrafted, contractStateAfter, finalObligation, signed } from '../support/contract-fixtures.ts';
import { assigneeId, jobId, now, orgId, strangerId, verifierId } from '../support/job-fixtures.ts';
import { placedAs } from '../support/workflow-spec.ts';
import {
  assessed,
  type AssignmentStep,
  at,
  awarded,
  contractOf,
  contractingJob,
  eligible,
  event,
  failRoundStep,
  settings,
  spec,
  started,
  stateWith,
} from './assignment-saga.support.ts';

const contractId = contractOf(1);
const awardedRound = [started('auction'), assessed(1, [eligible(assigneeId), eligible(strangerId)]), awarded(1, assigneeId, [strangerId])];
const award = () => placedAs('AssignmentAwarded', awarded(1, assigneeId, [strangerId]));
const drafted = contractStateAfter([contractDrafted({ contractId, escalateTo: 'owner' })]);
const signOrg: AssignmentStep = {
  kind: 'command',
  command: { aggregate: 'contract', type: 'SignContract', data: { contractId, orgId, party: 'org' } },
  commandId: `assign:${contractId}:sign-org`,
};
const offer = (basis: string): AssignmentStep => ({ kind: 'follow', input: { type: 'offer', jobId, contractId, round: 1, basis } });
const rejectLoser: AssignmentStep = {
  kind: 'publish',
  subject: agentInboxSubject(strangerId, 'reject'),
  data: { orgId, jobId, round: 1, reason: 'another bid won' },
};

describe('assignment workflow: an award becomes a contract offered to the winner', () => {
  it('drafts the contract from the job and the org’s settings, tells the other bidders, signs for the org and offers it', () => {
    const job = contractingJob({ deadline: at(86_400_000), objectives: ['one page'] });
    spec
      .given(stateWith(awardedRound, { job }))
      .when(award())
      .thenSteps([
        {
          kind: 'command',
          command: {
            aggregate: 'contract',
            type: 'DraftContract',
            data: {
              contractId,
              orgId,
              jobId,
              assigneeSubjectId: assigneeId,
              verifierSubjectIds: [verifierId],
              permittedActions: settings.permittedActions,
              permittedTools: settings.permittedTools,
              deliverables: ['one page'],
              obligations: [{ obligationId: 'delivery', description: 'deliver: Summarise the quarterly report', dueAt: at(86_400_000) }],
              escalateTo: settings.escalateTo,
              reviewRequired: false,
            },
          },
          commandId: `assign:${contractId}:draft`,
          ifRefused: expect.any(Function),
        },
        rejectLoser,
        signOrg,
        offer('best score'),
      ]);
  });

  it('drafts no delivery obligation for a job without a deadline, or one already past, and the goal as the deliverable', () => {
    for (const deadline of [null, at(-1000)]) {
      const decided = spec.given(stateWith(awardedRound, { job: contractingJob({ deadline, objectives: [] }) })).when(award());
      expect(decided.steps[0]).toMatchObject({ command: { data: { obligations: [], deliverables: ['Summarise the quarterly report'] } } });
    }
  });

  it('does not draft again a contract drafted already (a replay)', () => {
    spec
      .given(stateWith(awardedRound, { contract: drafted }))
      .when(award())
      .thenSteps([rejectLoser, signOrg, offer('best score')]);
  });

  it('fails the round, and offers nothing, when the contract cannot be drafted', () => {
    const [draft] = spec.given(stateWith(awardedRound)).when(award()).steps;
    if (draft?.kind !== 'command' || typeof draft.ifRefused !== 'function') throw new Error('the draft step answers its refusal');
    expect(draft.ifRefused(appError('forbidden', 'POLICY_FORBIDS', 'no contracts today'))).toEqual([
      { kind: 'log', level: 'warn', fields: { jobId, code: 'POLICY_FORBIDS' }, message: 'the contract of an award could not be drafted; the round fails' },
      failRoundStep(1, 'contract_rejected', 'the contract could not be drafted: no contracts today'),
    ]);
  });

  it('waits for the org’s review before signing when the org reviews contracts', () => {
    const reviewing = workSettingsOf({ 'work.contractReview': 'required' });
    spec
      .given(stateWith(awardedRound, { settings: reviewing, contract: drafted }))
      .when(award())
      .thenSteps([rejectLoser]);
  });

  it('does nothing for an award the assignment no longer holds', () => {
    spec
      .given(stateWith([started('auction'), assessed(1, [eligible(assigneeId)])]))
      .when(award())
      .thenNothing();
  });

  it('offers the contract after an approving review, and leaves a disapproval to the rejection that follows', () => {
    const reviewed = (approved: boolean) =>
      event<'ContractReviewed'>({
        type: 'ContractReviewed',
        data: { contractId, orgId, jobId, approved, note: null, reviewedBy: { id: 'admin:a', kind: 'admin' }, reviewedAt: now },
      });
    spec
      .given(stateWith(awardedRound))
      .when(reviewed(true))
      .thenSteps([signOrg, offer('approved after review')]);
    spec.given(stateWith(awardedRound)).when(reviewed(false)).thenNothing();
  });
});

describe('assignment workflow: the offer, once the org has signed', () => {
  const signedByOrg: AssignmentFollowUp = { type: 'offer', jobId, contractId, round: 1, basis: 'best score' };

  it('sets the signature deadline and sends `accept` with the contract’s terms to the winner', () => {
    const contract = contractStateAfter([contractDrafted({ contractId }), signed('org')]);
    const timeoutMs = settings.signatureTimeoutMs;
    spec
      .given(stateWith(awardedRound, { contract }))
      .when(signedByOrg)
      .thenSteps([
        {
          kind: 'schedule',
          timer: { key: `${SIGNATURE_DUE}:${contractId}`, orgId, dueAt: at(timeoutMs), purpose: SIGNATURE_DUE, ref: { contractId, jobId, timeoutMs } },
        },
        {
          kind: 'publish',
          subject: agentInboxSubject(assigneeId, 'accept'),
          data: {
            orgId,
            jobId,
            round: 1,
            basis: 'best score',
            goal: 'Summarise the quarterly report',
            contract: {
              contractId,
              permittedActions: ['task.*', 'job.deliver'],
              permittedTools: ['web.search'],
              deliverables: ['a one-page summary'],
              obligations: [finalObligation],
            },
          },
        },
      ]);
  });

  it('offers nothing for a contract no longer awaiting signatures', () => {
    const active = contractStateAfter([contractDrafted({ contractId }), signed('org'), signed('assignee'), activated]);
    spec
      .given(stateWith(awardedRound, { contract: active }))
      .when(signedByOrg)
      .thenNothing();
    spec
      .given(stateWith(awardedRound, { contract: null }))
      .when(signedByOrg)
      .thenNothing();
  });

  it('withdraws an offer left unsigned past its deadline', () => {
    const due = event<'TimerFired'>({
      type: 'TimerFired',
      data: {
        timerId: '99999999-9999-4999-8999-999999999999',
        orgId,
        purpose: SIGNATURE_DUE,
        ref: { contractId, jobId, timeoutMs: 60_000 },
        dueAt: now,
        firedAt: now,
      },
    });
    spec
      .given({ ...stateWith([]), contract: contractStateAfter([contractDrafted({ contractId }), signed('org')]) })
      .when(due)
      .thenSteps([
        {
          kind: 'command',
          command: {
            aggregate: 'contract',
            type: 'RejectContract',
            data: { contractId, orgId, party: 'org', reason: 'the assignee did not sign within 60000 ms' },
          },
          commandId: `assign:${contractId}:signature-due`,
        },
      ]);
    const active = contractStateAfter([contractDrafted({ contractId }), signed('org'), signed('assignee'), activated]);
    spec
      .given({ ...stateWith([]), contract: active })
      .when(due)
      .thenNothing();
  });
});
