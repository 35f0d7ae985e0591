import { assignmentDecider } from '../../domain/assignment/decider.ts';
import { assignmentEventDefinitions, type AssignmentEvent } from '../../domain/assignment/events.ts';
import type { Assignment } from '../../domain/assignment/state.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import type { ProjectedEvent } from '../projection.ts';
import { POSITION_FIELD, json, occurredAt, withoutBookkeeping } from '../read-model-writes.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc, index } from './index-fields.ts';

export const ASSIGNMENTS = 'assignments';

export const ASSIGNMENTS_PROJECTION = 'assignments';

/** A job's assignment document: the saga's state without its assessments and proposals, and what the reads show beyond it. */
export type AssignmentDocument = Stored<
  Omit<Assignment, 'assessments' | 'proposals' | 'award'> & {
    assessedCount: number | null;
    eligibleCount: number | null;
    invitedCount: number | null;
    validBidCount: number;
    award: Pick<EventDataOf<'AssignmentAwarded'>, 'round' | 'subjectId' | 'contractId' | 'basis' | 'declined'> | null;
    roundFailures: Array<Pick<EventDataOf<'AssignmentRoundFailed'>, 'round' | 'reason' | 'detail'> & { failedAt: string }>;
    escalation: (Pick<EventDataOf<'AssignmentEscalated'>, 'reason' | 'rounds'> & { escalatedAt: string }) | null;
    cancellation: (Pick<EventDataOf<'AssignmentCancelled'>, 'reason'> & { cancelledAt: string }) | null;
    bidCount: number;
    restarts: number;
    startedAt: string;
    completedAt: string | null;
    updatedAt: string;
  }
>;

/** Round failures a document keeps (the latest; a job reassigned again and again restarts its rounds each time). */
export const KEPT_ROUND_FAILURES = 50;

/**
 * One document per job's assignment (`_id` = jobId): its strategy and round limit, the current `round` and `phase`
 * (`assessing`, `bidding`, `awarded`, `completed`, `escalated`, `cancelled`), the open call's `closesAt`, the award
 * (who, under which contract, on what `basis`, and the valid bidders `declined`), `failedRounds` (since the last
 * restart, as the domain counts them) with `roundFailures` (every failure's round, reason and detail, the latest
 * {@link KEPT_ROUND_FAILURES}), `excluded` (refused or lost the job), the escalation or cancellation, and counts for
 * the current round (`assessedCount`, `eligibleCount`, `invitedCount`, `validBidCount`) and for all rounds
 * (`bidCount`).
 *
 * The fields the assignment saga keeps in its own state follow the domain's fold (evolveAssignment). The candidates'
 * assessments and the bids themselves are not copied here (an org of 5,000 members would outgrow a document): the
 * bids are the `bids` read model, the assessments are in the log (`CandidatesAssessed`).
 */
export const assignmentsProjection = evolvingReadModel({
  name: ASSIGNMENTS_PROJECTION,
  version: 1,
  collection: ASSIGNMENTS,
  events: assignmentEventDefinitions,
  decider: assignmentDecider,
  idOf: (event) => event.data.jobId,
  fromDocument: stateOf,
  toDocument: assignmentDocument,
  indexes: [index('assignments_org_phase', asc('orgId'), asc('phase'))],
});

/** The document for the assignment after `event`: the domain's state, plus what the read APIs show beyond it. */
function assignmentDocument(next: Assignment, event: ProjectedEvent<AssignmentEvent['type']>, current: JsonDocument | undefined): Record<string, JsonValue> {
  const at = occurredAt(event);
  const before = current ? stateOf(withoutBookkeeping(current)) : null;
  const previous: Record<string, JsonValue> = current ? withoutBookkeeping(current) : {};
  const sameRound = before !== null && before.round === next.round && event.type !== 'AssignmentStarted';
  const counts = {
    assessedCount: sameRound ? (previous.assessedCount ?? null) : null,
    eligibleCount: sameRound ? (previous.eligibleCount ?? null) : null,
    invitedCount: sameRound ? (previous.invitedCount ?? null) : null,
    validBidCount: sameRound && typeof previous.validBidCount === 'number' ? previous.validBidCount : 0,
  };
  let award = next.award === null ? null : (previous.award ?? null);
  let roundFailures = Array.isArray(previous.roundFailures) ? previous.roundFailures : [];
  let escalation = previous.escalation ?? null;
  let cancellation = previous.cancellation ?? null;
  let bidCount = typeof previous.bidCount === 'number' ? previous.bidCount : 0;
  let restarts = typeof previous.restarts === 'number' ? previous.restarts : 0;
  let startedAt = typeof previous.startedAt === 'string' ? previous.startedAt : at;
  let completedAt = previous.completedAt ?? null;
  switch (event.type) {
    case 'AssignmentStarted':
      startedAt = event.data.startedAt;
      roundFailures = [];
      escalation = null;
      cancellation = null;
      completedAt = null;
      bidCount = 0;
      restarts = 0;
      break;
    case 'CandidatesAssessed': {
      const { candidates } = event.data;
      counts.assessedCount = candidates.length;
      counts.eligibleCount = candidates.filter((candidate) => candidate.eligible).length;
      break;
    }
    case 'CallForProposalsIssued':
      counts.invitedCount = event.data.invitees.length;
      break;
    case 'ProposalRecorded':
      bidCount += 1;
      if (event.data.valid) counts.validBidCount += 1;
      break;
    case 'AssignmentAwarded': {
      const { round, subjectId, contractId, basis, declined } = event.data;
      award = json({ round, subjectId, contractId, basis, declined });
      break;
    }
    case 'AssignmentRoundFailed': {
      const { round, reason, detail } = event.data;
      roundFailures = [...roundFailures, json({ round, reason, detail, failedAt: at })].slice(-KEPT_ROUND_FAILURES);
      break;
    }
    case 'AssignmentEscalated':
      escalation = json({ reason: event.data.reason, rounds: event.data.rounds, escalatedAt: at });
      break;
    case 'AssignmentCompleted':
      completedAt = at;
      break;
    case 'AssignmentCancelled':
      cancellation = json({ reason: event.data.reason, cancelledAt: at });
      break;
    case 'AssignmentRestarted':
      restarts += 1;
      escalation = null;
      completedAt = null;
      break;
  }
  const { assessments: _assessments, proposals: _proposals, ...kept } = next;
  return {
    ...(json(kept) as Record<string, JsonValue>),
    ...counts,
    award,
    roundFailures,
    escalation,
    cancellation,
    bidCount,
    restarts,
    startedAt,
    completedAt,
  };
}

/**
 * The saga's state as far as the document holds it: the assessments and the valid proposals of the round are not
 * kept (evolve only ever replaces or appends to them, never reads them).
 */
function stateOf(stored: Record<string, JsonValue>): Assignment {
  const award = stored.award !== null && typeof stored.award === 'object' && !Array.isArray(stored.award) ? stored.award : null;
  return {
    jobId: String(stored.jobId),
    orgId: String(stored.orgId),
    strategy: stored.strategy as Assignment['strategy'],
    maxRounds: Number(stored.maxRounds),
    round: Number(stored.round),
    phase: stored.phase as Assignment['phase'],
    assessments: null,
    closesAt: typeof stored.closesAt === 'string' ? stored.closesAt : null,
    proposals: [],
    award: award === null ? null : { round: Number(award.round), subjectId: String(award.subjectId), contractId: String(award.contractId) },
    failedRounds: Number(stored.failedRounds ?? 0),
    excluded: Array.isArray(stored.excluded) ? stored.excluded.filter((id): id is string => typeof id === 'string') : [],
  };
}

/** An assignment as the read APIs answer it. */
export function assignmentView(document: JsonDocument) {
  return { ...withoutBookkeeping(document), position: typeof document[POSITION_FIELD] === 'string' ? document[POSITION_FIELD] : '0' };
}
