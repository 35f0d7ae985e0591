import type { AssignmentEvent } from './events.ts';
import type { AssignmentState } from './state.ts';

export function evolveAssignment(state: AssignmentState, event: AssignmentEvent): AssignmentState {
  if (event.type === 'AssignmentStarted') {
    const { jobId, orgId, strategy, maxRounds } = event.data;
    return {
      jobId,
      orgId,
      strategy,
      maxRounds,
      round: 1,
      phase: 'assessing',
      assessments: null,
      closesAt: null,
      proposals: [],
      award: null,
      failedRounds: 0,
      excluded: [],
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case 'CandidatesAssessed':
      return { ...state, assessments: new Map(event.data.candidates.map((candidate) => [candidate.subjectId, candidate])) };
    case 'CallForProposalsIssued':
      return { ...state, phase: 'bidding', closesAt: event.data.closesAt };
    case 'ProposalRecorded': {
      if (!event.data.valid) return state;
      const { subjectId, bid, receivedAt } = event.data;
      return { ...state, proposals: [...state.proposals, { subjectId, bid, receivedAt }] };
    }
    case 'AssignmentAwarded': {
      const { round, subjectId, contractId } = event.data;
      return { ...state, phase: 'awarded', award: { round, subjectId, contractId } };
    }
    case 'AssignmentRoundFailed': {
      const lost = state.award?.round === event.data.round ? [state.award.subjectId] : [];
      return {
        ...nextRound(state),
        failedRounds: state.failedRounds + 1,
        excluded: [...state.excluded, ...lost.filter((id) => !state.excluded.includes(id))],
      };
    }
    case 'AssignmentEscalated':
      return { ...state, phase: 'escalated' };
    case 'AssignmentCompleted':
      return { ...state, phase: 'completed' };
    case 'AssignmentCancelled':
      return { ...state, phase: 'cancelled' };
    case 'AssignmentRestarted': {
      const excluded = [...state.excluded, ...event.data.excluded.filter((id) => !state.excluded.includes(id))];
      // An escalation already moved past its last failed round (AssignmentRoundFailed opens the next one, which never
      // started): that round is the new one, so round numbers run on without a gap.
      const next = nextRound(state);
      return { ...next, round: state.phase === 'escalated' ? state.round : next.round, failedRounds: 0, excluded };
    }
  }
}

function nextRound(state: NonNullable<AssignmentState>): NonNullable<AssignmentState> {
  return { ...state, round: state.round + 1, phase: 'assessing', assessments: null, closesAt: null, proposals: [], award: null };
}
