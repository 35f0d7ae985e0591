import type { ContractEvent } from './events.ts';
import type { ContractState } from './state.ts';

export function evolveContract(state: ContractState, event: ContractEvent): ContractState {
  if (event.type === 'ContractDrafted') {
    const { reviewRequired } = event.data;
    return {
      ...event.data,
      status: reviewRequired ? 'in_review' : 'awaiting_signatures',
      review: null,
      signatures: { org: null, assignee: null },
      activatedAt: null,
      breaches: [],
      rejection: null,
      statusReason: null,
      endedAt: null,
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'ContractReviewed': {
      const { approved, note, reviewedBy, reviewedAt } = event.data;
      // A disapproval is followed by ContractRejected in the same decision, which makes the contract final.
      return { ...state, status: approved ? 'awaiting_signatures' : state.status, review: { approved, note, reviewedBy, reviewedAt } };
    }
    case 'ContractSigned': {
      const { party, signedBy, signedAt } = event.data;
      return { ...state, signatures: { ...state.signatures, [party]: { signedBy, signedAt } } };
    }
    case 'ContractActivated':
      return { ...state, status: 'active', activatedAt: event.data.activatedAt };
    case 'ContractRejected': {
      const { party, reason, rejectedBy, rejectedAt } = event.data;
      return { ...state, status: 'rejected', rejection: { party, reason, rejectedBy, rejectedAt }, statusReason: reason, endedAt: rejectedAt };
    }
    case 'ContractBreached': {
      const { breachId, kind, clause, details, recordedBy, recordedAt } = event.data;
      return { ...state, breaches: [...state.breaches, { breachId, kind, clause, details, recordedBy, recordedAt }] };
    }
    case 'ObligationExtended': {
      const { obligationId, dueAt } = event.data;
      return {
        ...state,
        obligations: state.obligations.map((obligation) => (obligation.obligationId === obligationId ? { ...obligation, dueAt } : obligation)),
      };
    }
    case 'ContractFulfilled':
      return { ...state, status: 'fulfilled', endedAt: event.data.fulfilledAt };
    case 'ContractTerminated':
      return { ...state, status: 'terminated', statusReason: event.data.reason, endedAt: event.data.terminatedAt };
  }
}
