import type { AssignmentEvent } from '../../domain/assignment/events.ts';
import type { Bid, CandidateAssessment, RoundFailure } from '../../domain/assignment/fields.ts';
import type { AssignmentStrategy } from '../../domain/job/fields.ts';

/**
 * The assignment events of one job, spelled out for specs to expect or to give: `now` is when it started, and
 * `contractOf(round)` the contract a round awards.
 */
export function assignmentEventsOf(ref: { jobId: string; orgId: string }, now: string, contractOf: (round: number) => string) {
  return {
    started: (strategy: AssignmentStrategy, maxRounds = 3): AssignmentEvent => ({
      type: 'AssignmentStarted',
      data: { ...ref, strategy, maxRounds, startedAt: now },
    }),
    assessed: (round: number, candidates: CandidateAssessment[]): AssignmentEvent => ({ type: 'CandidatesAssessed', data: { ...ref, round, candidates } }),
    callForProposalsIssued: (round: number, invitees: string[], closesAt: string): AssignmentEvent => ({
      type: 'CallForProposalsIssued',
      data: { ...ref, round, invitees, closesAt },
    }),
    proposalRecorded: (round: number, subjectId: string, bid: Bid, receivedAt: string, reasons: string[] = []): AssignmentEvent => ({
      type: 'ProposalRecorded',
      data: { ...ref, round, subjectId, bid, valid: reasons.length === 0, reasons, receivedAt },
    }),
    awarded: (round: number, subjectId: string, basis: string, declined: string[] = []): AssignmentEvent => ({
      type: 'AssignmentAwarded',
      data: { ...ref, round, subjectId, contractId: contractOf(round), basis, declined },
    }),
    roundFailed: (round: number, reason: RoundFailure, detail: string): AssignmentEvent => ({
      type: 'AssignmentRoundFailed',
      data: { ...ref, round, reason, detail },
    }),
    escalated: (reason: string, rounds: number): AssignmentEvent => ({ type: 'AssignmentEscalated', data: { ...ref, reason, rounds } }),
    completed: (round: number, subjectId: string): AssignmentEvent => ({
      type: 'AssignmentCompleted',
      data: { ...ref, subjectId, contractId: contractOf(round) },
    }),
    cancelled: (reason = 'the job was cancelled'): AssignmentEvent => ({ type: 'AssignmentCancelled', data: { ...ref, reason } }),
    restarted: (excluded: string[] = [], reason = 'the escalation was resolved with reassign'): AssignmentEvent => ({
      type: 'AssignmentRestarted',
      data: { ...ref, reason, excluded },
    }),
  };
}
