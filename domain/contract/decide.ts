import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { actsForThePlatform, isSubject, type Principal } from '../shared/principal.ts';
import type { ContractCommand, ContractCommandType } from './commands.ts';
import type { ContractEvent } from './events.ts';
import type { ContractParty } from './fields.ts';
import type { Contract, ContractState, ContractStatus } from './state.ts';
import { illegalTransition } from '../shared/illegal-transition.ts';

/** Contract commands are decided from the contract's stream alone: the handler loads nothing more. */
export type ContractDecisionContext = DecisionContext;

/**
 * The contract lifecycle: the commands each status accepts (DraftContract creates the contract and is decided before
 * this table applies). Anything not listed is an illegal transition.
 *
 *   (drafted) -> in_review? -> awaiting_signatures -> active -> fulfilled | terminated
 *   in_review | awaiting_signatures -> rejected
 */
export const contractAccepts: Readonly<Record<ContractStatus, readonly Exclude<ContractCommandType, 'DraftContract'>[]>> = {
  in_review: ['ReviewContract', 'RejectContract', 'TerminateContract'],
  awaiting_signatures: ['SignContract', 'RejectContract', 'TerminateContract'],
  active: ['RecordBreach', 'ExtendObligation', 'FulfilContract', 'TerminateContract'],
  fulfilled: [],
  terminated: [],
  rejected: [],
};

export function decideContract(command: ContractCommand, state: ContractState, context: ContractDecisionContext): readonly ContractEvent[] | AppError {
  const { contractId, orgId } = command.data;
  const { principal, now } = context;
  if (command.type === 'DraftContract') {
    const { data } = command;
    if (state !== null) return appError('conflict', 'CONTRACT_ALREADY_EXISTS', `contract ${contractId} already exists`, { contractId });
    // The schema refuses this too; the decider holds the invariant for any caller.
    if (data.verifierSubjectIds.includes(data.assigneeSubjectId)) {
      return appError('conflict', 'ASSIGNEE_IS_VERIFIER', `subject ${data.assigneeSubjectId} cannot both do and verify the work`, {
        contractId,
        assigneeSubjectId: data.assigneeSubjectId,
      });
    }
    const overdue = data.obligations.find((obligation) => !(Date.parse(obligation.dueAt) > Date.parse(now)));
    if (overdue !== undefined) {
      return appError('unprocessable', 'DUE_AT_IN_PAST', `obligation ${overdue.obligationId} is due at ${overdue.dueAt}, which is not in the future`, {
        contractId,
        obligationId: overdue.obligationId,
        dueAt: overdue.dueAt,
        now,
      });
    }
    return [
      {
        type: 'ContractDrafted',
        data: {
          contractId,
          orgId,
          jobId: data.jobId,
          assigneeSubjectId: data.assigneeSubjectId,
          verifierSubjectIds: data.verifierSubjectIds,
          permittedActions: data.permittedActions,
          permittedTools: data.permittedTools,
          deliverables: data.deliverables,
          obligations: data.obligations,
          escalateTo: data.escalateTo,
          reviewRequired: data.reviewRequired,
          draftedBy: principal,
          draftedAt: now,
        },
      },
    ];
  }

  // A contract of another org is as absent as one that does not exist: naming the wrong org reveals nothing.
  if (state === null || state.orgId !== orgId) {
    return appError('not_found', 'CONTRACT_NOT_FOUND', `org ${orgId} has no contract ${contractId}`, { contractId, orgId });
  }
  const ref = { contractId, orgId, jobId: state.jobId };

  if (command.type === 'RecordBreach') {
    // Breaches are observed by the platform (its timers, its enforcement of the terms), not claimed by a party.
    if (!actsForThePlatform(principal)) {
      return appError('forbidden', 'PLATFORM_ONLY', `only the platform records breaches of contract ${contractId}`, { contractId, principal: principal.id });
    }
    // Whoever records a breach may record it again (a retry, a restarted process): the first record stands.
    if (state.breaches.some((breach) => breach.breachId === command.data.breachId)) return [];
  }
  if (!contractAccepts[state.status].includes(command.type)) return illegal(state, command.type);

  switch (command.type) {
    case 'ReviewContract': {
      const refused = notTheAssignee(state, principal);
      if (refused) return refused;
      const { approve, note } = command.data;
      const reviewed: ContractEvent = {
        type: 'ContractReviewed',
        data: { ...ref, approved: approve, note: note ?? null, reviewedBy: principal, reviewedAt: now },
      };
      if (approve) return [reviewed];
      // The schema requires a note with a disapproval; the fallback keeps the decider total for any caller.
      const reason = note ?? 'disapproved in review';
      return [reviewed, rejected(state, 'org', reason, principal, now)];
    }
    case 'SignContract': {
      const { party } = command.data;
      const refused = mayActAs(state, party, principal);
      if (refused) return refused;
      if (state.signatures[party] !== null) {
        return appError('conflict', 'ALREADY_SIGNED', `the ${party} has already signed contract ${contractId}`, { contractId, party });
      }
      const signed: ContractEvent = { type: 'ContractSigned', data: { ...ref, party, signedBy: principal, signedAt: now } };
      const other: ContractParty = party === 'org' ? 'assignee' : 'org';
      if (state.signatures[other] === null) return [signed];
      // The second signature makes the contract binding, in the same decision: there is no signed-but-inactive state.
      return [signed, { type: 'ContractActivated', data: { ...ref, assigneeSubjectId: state.assigneeSubjectId, activatedAt: now } }];
    }
    case 'RejectContract': {
      const { party, reason } = command.data;
      const refused = mayActAs(state, party, principal);
      return refused ?? [rejected(state, party, reason, principal, now)];
    }
    case 'RecordBreach': {
      const { breachId, kind, clause, details } = command.data;
      return [
        { type: 'ContractBreached', data: { ...ref, breachId, kind, clause, details, escalateTo: state.escalateTo, recordedBy: principal, recordedAt: now } },
      ];
    }
    case 'ExtendObligation': {
      const refused = notTheAssignee(state, principal);
      if (refused) return refused;
      const { obligationId, dueAt } = command.data;
      const obligation = state.obligations.find((candidate) => candidate.obligationId === obligationId);
      if (obligation === undefined) {
        return appError('not_found', 'OBLIGATION_NOT_FOUND', `contract ${contractId} has no obligation ${obligationId}`, { contractId, obligationId });
      }
      // Extending to the date it already has changes nothing (a retry under a new command id).
      if (obligation.dueAt === dueAt) return [];
      if (!(Date.parse(dueAt) > Date.parse(now))) {
        return appError('unprocessable', 'DUE_AT_IN_PAST', `the new due date ${dueAt} is not in the future`, { contractId, obligationId, dueAt, now });
      }
      if (!(Date.parse(dueAt) > Date.parse(obligation.dueAt))) {
        return appError('unprocessable', 'DUE_AT_NOT_LATER', `obligation ${obligationId} is due at ${obligation.dueAt}; an extension must be later`, {
          contractId,
          obligationId,
          dueAt,
          currentDueAt: obligation.dueAt,
        });
      }
      return [{ type: 'ObligationExtended', data: { ...ref, obligationId, previousDueAt: obligation.dueAt, dueAt, extendedBy: principal, extendedAt: now } }];
    }
    case 'FulfilContract': {
      const refused = notTheAssignee(state, principal);
      return refused ?? [{ type: 'ContractFulfilled', data: { ...ref, fulfilledBy: principal, fulfilledAt: now } }];
    }
    case 'TerminateContract':
      return [{ type: 'ContractTerminated', data: { ...ref, reason: command.data.reason, from: state.status, terminatedBy: principal, terminatedAt: now } }];
  }
}

function rejected(contract: Contract, party: ContractParty, reason: string, rejectedBy: Principal, rejectedAt: string): ContractEvent {
  const { contractId, orgId, jobId, assigneeSubjectId } = contract;
  return { type: 'ContractRejected', data: { contractId, orgId, jobId, party, reason, assigneeSubjectId, rejectedBy, rejectedAt } };
}

function illegal(contract: Contract, command: ContractCommandType): AppError {
  return illegalTransition('a contract', { contractId: contract.contractId }, contract.status, command);
}

/**
 * Who may sign or reject for a party. The assignee's consent is its own: only the subject principal that is the
 * assignee gives it, never an admin or the platform (nobody signs for an agent). The org's consent is given by anyone
 * the org's policy lets perform the action (`contract.sign`, `contract.reject`), admins and the platform included,
 * but never by the assignee: one subject cannot be both sides of a contract.
 */
function mayActAs(contract: Contract, party: ContractParty, principal: Principal): AppError | undefined {
  if (party === 'org') return notTheAssignee(contract, principal);
  if (isSubject(principal, contract.assigneeSubjectId)) return undefined;
  return appError('forbidden', 'NOT_THE_ASSIGNEE', `only the assignee of contract ${contract.contractId} may act for the assignee`, {
    contractId: contract.contractId,
    principal: principal.id,
  });
}

/**
 * Acts that are the org's to take (its review, its signature or rejection, extending a deadline, declaring the
 * contract fulfilled) are refused to the assignee whatever the policy says: it would be approving its own terms.
 */
function notTheAssignee(contract: Contract, principal: Principal): AppError | undefined {
  if (!isSubject(principal, contract.assigneeSubjectId)) return undefined;
  return appError('forbidden', 'ASSIGNEE_ACTS_FOR_ORG', `the assignee of contract ${contract.contractId} cannot act for the org`, {
    contractId: contract.contractId,
    principal: principal.id,
  });
}
