import type { ContractCommand, ContractCommandType } from '../../domain/contract/commands.ts';
import type { ContractDecisionContext } from '../../domain/contract/decide.ts';
import { contractDecider } from '../../domain/contract/decider.ts';
import type { ContractEvent } from '../../domain/contract/events.ts';
import type { ContractStatus } from '../../domain/contract/state.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { deciderSpec } from './decider-spec.ts';
import { admin, asSubject, assignee, assigneeId, contractId, jobId, now, orgId, system, verifierId } from './work-identities.ts';

export { admin, asSubject, assignee, assigneeId, contractId, jobId, now, orgId, otherOrgId, system, verifierId } from './work-identities.ts';

export const signatoryId = 'cccccccc-0000-4000-8000-000000000003';
/** A subject of the org whom its policy lets sign for it (the policy is the pipeline's check, not the decider's). */
export const signatory = asSubject(signatoryId);
/** An admin whose id happens to be the assignee's: still not the assignee, which is a subject principal. */
export const adminNamedLikeTheAssignee: Principal = { id: assigneeId, kind: 'admin' };

export const inAWeek = '2026-12-04T10:00:00.000Z';
export const inAMonth = '2026-12-27T10:00:00.000Z';

export const contractContext: ContractDecisionContext = { now, principal: admin, commandId: 'cmd-00000001' };
export const contractSpec = deciderSpec(contractDecider, contractContext);

type DraftData = Extract<ContractCommand, { type: 'DraftContract' }>['data'];
type EventData<Type extends ContractEvent['type']> = Extract<ContractEvent, { type: Type }>['data'];

const ref = { contractId, orgId };
const eventRef = { contractId, orgId, jobId };

export const finalObligation = { obligationId: 'final', description: 'Deliver the summary', dueAt: inAWeek };

/** The terms the DraftContract proposes, and so the terms its ContractDrafted records. */
function terms() {
  return {
    assigneeSubjectId: assigneeId,
    verifierSubjectIds: [verifierId],
    permittedActions: ['task.*', 'job.deliver'],
    permittedTools: ['web.search'],
    deliverables: ['a one-page summary'],
    obligations: [finalObligation],
    escalateTo: 'board',
    reviewRequired: false,
  } satisfies Partial<DraftData>;
}

/** A DraftContract as it looks after parsing (defaults applied). */
export function draftContract(overrides: Partial<DraftData> = {}): ContractCommand {
  return { type: 'DraftContract', data: { ...ref, jobId, ...terms(), ...overrides } };
}

export function contractDrafted(overrides: Partial<EventData<'ContractDrafted'>> = {}): ContractEvent {
  return {
    type: 'ContractDrafted',
    data: {
      ...eventRef,
      ...terms(),
      draftedBy: admin,
      draftedAt: now,
      ...overrides,
    },
  };
}

export const reviewed = (approved: boolean, note: string | null = null, reviewedBy: Principal = admin): ContractEvent => ({
  type: 'ContractReviewed',
  data: { ...eventRef, approved, note, reviewedBy, reviewedAt: now },
});
export const signed = (party: 'org' | 'assignee', signedBy: Principal = party === 'org' ? system : assignee): ContractEvent => ({
  type: 'ContractSigned',
  data: { ...eventRef, party, signedBy, signedAt: now },
});
export const activated: ContractEvent = { type: 'ContractActivated', data: { ...eventRef, assigneeSubjectId: assigneeId, activatedAt: now } };
export const contractRejected = (party: 'org' | 'assignee', reason: string, rejectedBy: Principal): ContractEvent => ({
  type: 'ContractRejected',
  data: { ...eventRef, party, reason, assigneeSubjectId: assigneeId, rejectedBy, rejectedAt: now },
});
export const breached = (breachId: string, recordedBy: Principal = system): ContractEvent => ({
  type: 'ContractBreached',
  data: {
    ...eventRef,
    breachId,
    kind: 'deadline_missed',
    clause: 'obligations.final',
    details: 'not delivered by the due date',
    escalateTo: 'board',
    recordedBy,
    recordedAt: now,
  },
});
/** The final obligation moved from `previousDueAt` to `dueAt` by the platform. */
export const obligationExtended = (previousDueAt: string, dueAt: string): ContractEvent => ({
  type: 'ObligationExtended',
  data: { ...eventRef, obligationId: 'final', previousDueAt, dueAt, extendedBy: system, extendedAt: now },
});
export const fulfilled: ContractEvent = { type: 'ContractFulfilled', data: { ...eventRef, fulfilledBy: admin, fulfilledAt: now } };
export const terminated = (from: ContractStatus, reason = 'job cancelled'): ContractEvent => ({
  type: 'ContractTerminated',
  data: { ...eventRef, reason, from, terminatedBy: admin, terminatedAt: now },
});

/** The events that bring a contract into each status. */
export const historyTo: Record<ContractStatus, readonly ContractEvent[]> = {
  in_review: [contractDrafted({ reviewRequired: true })],
  awaiting_signatures: [contractDrafted()],
  active: [contractDrafted(), signed('assignee'), signed('org'), activated],
  fulfilled: [contractDrafted(), signed('assignee'), signed('org'), activated, fulfilled],
  terminated: [contractDrafted(), signed('assignee'), signed('org'), activated, terminated('active')],
  rejected: [contractDrafted(), contractRejected('assignee', 'terms too tight', assignee)],
};

export const allContractStatuses = Object.keys(historyTo) as ContractStatus[];

/** A command on a contract that exists: every type but DraftContract. */
export type ContractCommandOnAContract = Exclude<ContractCommand, { type: 'DraftContract' }>;

/** One well-formed command of every type but DraftContract, for table-driven checks. */
export const commandsOnAContract: {
  [Type in Exclude<ContractCommandType, 'DraftContract'>]: Extract<ContractCommandOnAContract, { type: Type }>;
} = {
  ReviewContract: { type: 'ReviewContract', data: { ...ref, approve: true } },
  SignContract: { type: 'SignContract', data: { ...ref, party: 'org' } },
  RejectContract: { type: 'RejectContract', data: { ...ref, party: 'org', reason: 'budget withdrawn' } },
  RecordBreach: {
    type: 'RecordBreach',
    data: { ...ref, breachId: 'deadline:final', kind: 'deadline_missed', clause: 'obligations.final', details: 'not delivered by the due date' },
  },
  ExtendObligation: { type: 'ExtendObligation', data: { ...ref, obligationId: 'final', dueAt: inAMonth } },
  FulfilContract: { type: 'FulfilContract', data: ref },
  TerminateContract: { type: 'TerminateContract', data: { ...ref, reason: 'job cancelled' } },
};

/** The state after `events`. */
export const contractStateAfter = (events: readonly ContractEvent[]) => events.reduce(contractDecider.evolve, contractDecider.initialState);
