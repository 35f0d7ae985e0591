import type { JobEvent } from './events.ts';
import type { JobState } from './state.ts';

export function evolveJob(state: JobState, event: JobEvent): JobState {
  if (event.type === 'JobSubmitted') {
    return {
      ...event.data,
      status: 'submitted',
      assignment: null,
      delivery: null,
      verification: null,
      escalation: null,
      statusReason: null,
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'JobContractingStarted':
      return { ...state, status: 'contracting' };
    case 'JobAssigned': {
      const { assigneeSubjectId, contractId } = event.data;
      return { ...state, status: 'assigned', assignment: { assigneeSubjectId, contractId } };
    }
    case 'JobWorkStarted':
      return { ...state, status: 'in_progress' };
    case 'JobDelivered': {
      const { deliverable, note, deliveredBy, deliveredAt } = event.data;
      return { ...state, status: 'delivered', delivery: { deliverable, note, deliveredBy, deliveredAt } };
    }
    case 'JobVerified': {
      const { note, verifiedBy, verifiedAt } = event.data;
      return { ...state, status: 'verified', verification: { note, verifiedBy, verifiedAt } };
    }
    case 'JobDeliveryRejected':
      return { ...state, status: 'rejected', statusReason: event.data.reason };
    case 'JobFailed':
      return { ...state, status: 'failed', statusReason: event.data.reason };
    case 'JobCancelled':
      return { ...state, status: 'cancelled', statusReason: event.data.reason, escalation: null };
    case 'JobEscalated': {
      const { reason, escalateTo, from, escalatedBy, escalatedAt } = event.data;
      return { ...state, status: 'escalated', escalation: { reason, escalateTo, from, escalatedBy, escalatedAt } };
    }
    case 'JobEscalationRaised':
      return state.escalation === null ? state : { ...state, escalation: { ...state.escalation, escalateTo: event.data.escalateTo } };
    case 'JobEscalationResolved': {
      const { status, note } = event.data;
      const escalationReason = state.escalation?.reason ?? null;
      const resolved = { ...state, status, escalation: null, ...(event.data.deadline === undefined ? {} : { deadline: event.data.deadline }) };
      // Back to contracting: whoever held the job no longer does, and what they delivered is void.
      if (status === 'contracting') return { ...resolved, assignment: null, delivery: null };
      if (status === 'cancelled') return { ...resolved, statusReason: note ?? escalationReason };
      return resolved;
    }
  }
}
