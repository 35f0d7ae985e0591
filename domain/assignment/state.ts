import type { AssignmentStrategy } from '../job/fields.ts';
import type { Bid, CandidateAssessment } from './fields.ts';

/**
 * `assessing`: the round's candidates are being (or have been) assessed; `bidding`: an auction's call for proposals is
 * open; `awarded`: a candidate was chosen and the contract is being signed; `completed`: the job is assigned;
 * `escalated`: every round failed; `cancelled`: the job ended before it was assigned.
 */
export type AssignmentPhase = 'assessing' | 'bidding' | 'awarded' | 'completed' | 'escalated' | 'cancelled';

export interface ValidProposal {
  subjectId: string;
  bid: Bid;
  receivedAt: string;
}

export interface Award {
  round: number;
  subjectId: string;
  contractId: string;
}

export interface Assignment {
  jobId: string;
  orgId: string;
  strategy: AssignmentStrategy;
  maxRounds: number;
  round: number;
  phase: AssignmentPhase;
  /** The current round's assessments by subject id; null until the round is assessed. */
  assessments: ReadonlyMap<string, CandidateAssessment> | null;
  /** The open call for proposals of the current round (auction only). */
  closesAt: string | null;
  /** Valid proposals of the current round, in the order received. */
  proposals: readonly ValidProposal[];
  award: Award | null;
  /** Rounds failed since the assignment (re)started: when they reach maxRounds, the assignment escalates. */
  failedRounds: number;
  /** Subjects not to be chosen again for this job: they refused its contract or lost it. */
  excluded: readonly string[];
}

export type AssignmentState = Assignment | null;
export const initialAssignmentState: AssignmentState = null;
