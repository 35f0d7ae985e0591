import { describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/shared/principal.ts';
import {
  activated,
  admin,
  adminNamedLikeTheAssignee,
  asSubject,
  assignee,
  assigneeId,
  contractDrafted,
  contractId,
  contractRejected,
  contractSpec as spec,
  contractStateAfter,
  historyTo,
  jobId,
  now,
  orgId,
  reviewed,
  signatory,
  signatoryId,
  signed,
  system,
  verifierId,
} from '../support/contract-fixtures.ts';

const sign = (party: 'org' | 'assignee') => ({ type: 'SignContract' as const, data: { contractId, orgId, party } });
const reject = (party: 'org' | 'assignee', reason = 'not for me') => ({ type: 'RejectContract' as const, data: { contractId, orgId, party, reason } });
const drafted = historyTo.awaiting_signatures;

describe('signing', () => {
  it('records the assignee’s signature alone: one signature binds no one', () => {
    spec
      .given(drafted)
      .when(sign('assignee'), { principal: assignee })
      .thenEvents([signed('assignee', assignee)]);
    expect(contractStateAfter([...drafted, signed('assignee', assignee)])).toMatchObject({
      status: 'awaiting_signatures',
      signatures: { assignee: { signedBy: assignee, signedAt: now }, org: null },
      activatedAt: null,
    });
  });

  it('activates the contract with the second signature, in the same decision (assignee first)', () => {
    spec
      .given([...drafted, signed('assignee')])
      .when(sign('org'), { principal: system })
      .thenEvents([signed('org', system), activated]);
  });

  it('activates the contract with the second signature, in the same decision (org first)', () => {
    spec
      .given([...drafted, signed('org', admin)])
      .when(sign('assignee'), { principal: assignee })
      .thenEvents([signed('assignee', assignee), activated]);
  });

  it('names the job and the assignee on the activation, and the state is active with both signatures', () => {
    expect(activated.data).toMatchObject({ contractId, orgId, jobId, assigneeSubjectId: assigneeId, activatedAt: now });
    expect(contractStateAfter([...drafted, signed('org', admin), signed('assignee'), activated])).toMatchObject({
      status: 'active',
      activatedAt: now,
      signatures: { org: { signedBy: admin }, assignee: { signedBy: assignee } },
    });
  });

  it('can be signed once a required review approved it', () => {
    spec
      .given([contractDrafted({ reviewRequired: true }), reviewed(true)])
      .when(sign('assignee'), { principal: assignee })
      .thenEvents([signed('assignee', assignee)]);
  });

  const notTheAssignee: Array<[string, Principal]> = [
    ['an admin', admin],
    ['the platform', system],
    ['an admin whose id is the assignee’s', adminNamedLikeTheAssignee],
    ['another subject', signatory],
    ['a verifier', asSubject(verifierId)],
  ];
  it.each(notTheAssignee)('refuses %s signing for the assignee: nobody signs for an agent', (_name, principal) => {
    spec.given(drafted).when(sign('assignee'), { principal }).thenError('NOT_THE_ASSIGNEE', { contractId, principal: principal.id });
  });

  it.each([
    ['an admin', admin],
    ['the platform', system],
    ['a subject the policy lets sign', signatory],
  ] as Array<[string, Principal]>)('accepts %s signing for the org', (_name, principal) => {
    spec
      .given(drafted)
      .when(sign('org'), { principal })
      .thenEvents([signed('org', principal)]);
  });

  it('refuses the assignee signing for the org: one subject is not both sides', () => {
    spec.given(drafted).when(sign('org'), { principal: assignee }).thenError('ASSIGNEE_ACTS_FOR_ORG', { contractId, principal: assigneeId });
  });

  it('refuses a second signature of the same party', () => {
    spec
      .given([...drafted, signed('assignee')])
      .when(sign('assignee'), { principal: assignee })
      .thenError('ALREADY_SIGNED', { contractId, party: 'assignee' });
    spec
      .given([...drafted, signed('org', admin)])
      .when(sign('org'), { principal: signatory })
      .thenError('ALREADY_SIGNED', { contractId, party: 'org' });
  });

  it('refuses signatures before the review and after activation', () => {
    spec.given(historyTo.in_review).when(sign('assignee'), { principal: assignee }).thenError('ILLEGAL_TRANSITION', { status: 'in_review' });
    spec.given(historyTo.active).when(sign('org'), { principal: system }).thenError('ILLEGAL_TRANSITION', { status: 'active' });
  });
});

describe('rejecting', () => {
  it('lets the assignee turn the contract down, which ends it', () => {
    spec
      .given(drafted)
      .when(reject('assignee', 'deadline too tight'), { principal: assignee })
      .thenEvents([contractRejected('assignee', 'deadline too tight', assignee)]);
    expect(contractStateAfter([...drafted, contractRejected('assignee', 'deadline too tight', assignee)])).toMatchObject({
      status: 'rejected',
      rejection: { party: 'assignee', reason: 'deadline too tight', rejectedBy: assignee, rejectedAt: now },
      endedAt: now,
    });
  });

  it('names the assignee on the rejection, so the assignment can move on to another candidate', () => {
    expect(contractRejected('org', 'x', admin).data).toMatchObject({ jobId, assigneeSubjectId: assigneeId });
  });

  it('lets the org reject, in review or awaiting signatures, even after the assignee signed', () => {
    spec
      .given(historyTo.in_review)
      .when(reject('org'), { principal: signatory })
      .thenEvents([contractRejected('org', 'not for me', signatory)]);
    spec
      .given([...drafted, signed('assignee')])
      .when(reject('org'), { principal: system })
      .thenEvents([contractRejected('org', 'not for me', system)]);
  });

  it('applies the party rules of signing', () => {
    spec.given(drafted).when(reject('assignee'), { principal: admin }).thenError('NOT_THE_ASSIGNEE');
    spec
      .given(drafted)
      .when(reject('assignee'), { principal: asSubject(signatoryId) })
      .thenError('NOT_THE_ASSIGNEE');
    spec.given(drafted).when(reject('org'), { principal: assignee }).thenError('ASSIGNEE_ACTS_FOR_ORG');
  });

  it('is too late once the contract is active', () => {
    spec.given(historyTo.active).when(reject('assignee'), { principal: assignee }).thenError('ILLEGAL_TRANSITION', { status: 'active' });
  });
});
