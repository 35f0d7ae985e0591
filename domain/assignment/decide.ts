import { appError, type AppError } from '../shared/app-error.ts';
import type { DecisionContext } from '../shared/decider.ts';
import type { AssignmentCommand } from './commands.ts';
import type { AssignmentEvent } from './events.ts';
import { reasonTextSchema, type RoundFailure } from './fields.ts';
import { bestCandidate, bestProposal } from './selection.ts';
import type { Assignment, AssignmentState } from './state.ts';

/** What a bid is decided with beyond the stream: whether the bidder is a member of the org at all. */
export interface AssignmentDecisionContext extends DecisionContext {
  /** Loaded for RecordProposal; undefined: not loaded (the platform's own use, in tests). */
  bidderIsMember?: boolean;
}

const finished = (state: Assignment) => state.phase === 'completed' || state.phase === 'escalated' || state.phase === 'cancelled';

/**
 * The assignment of one job (stream `assignment-<jobId>`), kept by the assignment saga. The decider makes the saga's
 * steps safe to repeat: a round is assessed once, awarded once, and every bid is recorded, valid or not, with why.
 */
export function decideAssignment(
  command: AssignmentCommand,
  state: AssignmentState,
  context: AssignmentDecisionContext,
): readonly AssignmentEvent[] | AppError {
  const { jobId, orgId } = command.data;
  if (command.type === 'StartAssignment') {
    if (state !== null) return state.orgId === orgId ? [] : notFound(jobId, orgId);
    const { strategy, maxRounds } = command.data;
    return [{ type: 'AssignmentStarted', data: { jobId, orgId, strategy, maxRounds, startedAt: context.now } }];
  }
  if (state === null || state.orgId !== orgId) return notFound(jobId, orgId);

  switch (command.type) {
    case 'RecordAssessment': {
      const refused = currentRound(state, command.data.round, 'assessing');
      if (refused) return refused;
      if (state.assessments !== null)
        return appError('conflict', 'ROUND_ALREADY_ASSESSED', `round ${state.round} of job ${jobId} is already assessed`, { jobId, round: state.round });
      return [{ type: 'CandidatesAssessed', data: { jobId, orgId, round: state.round, candidates: command.data.candidates } }];
    }
    case 'IssueCallForProposals': {
      if (state.strategy !== 'auction') return notAnAuction(state);
      const refused = currentRound(state, command.data.round, 'assessing');
      if (refused) return refused;
      if (state.assessments === null) return notAssessed(state);
      const invitees = [...state.assessments.values()].filter((c) => c.eligible && !state.excluded.includes(c.subjectId)).map((c) => c.subjectId);
      if (invitees.length === 0)
        return appError('conflict', 'NO_ELIGIBLE_CANDIDATES', `round ${state.round} of job ${jobId} has nobody to invite`, { jobId, round: state.round });
      if (!(Date.parse(command.data.closesAt) > Date.parse(context.now))) {
        return appError('unprocessable', 'CLOSES_IN_PAST', `the call for proposals must close in the future`, {
          closesAt: command.data.closesAt,
          now: context.now,
        });
      }
      return [{ type: 'CallForProposalsIssued', data: { jobId, orgId, round: state.round, invitees, closesAt: command.data.closesAt } }];
    }
    case 'RecordProposal': {
      if (state.strategy !== 'auction') return notAnAuction(state);
      const { round, subjectId, bid } = command.data;
      // An outsider's bid is not an eligibility question: it is refused without being recorded, so a subject of
      // another org can neither fill this job's record nor learn from the answer more than that it may not bid.
      if (context.bidderIsMember === false) {
        return appError('forbidden', 'NOT_A_MEMBER', `subject ${subjectId} is not a member of org ${orgId}`, { subjectId, orgId });
      }
      // Early (a later round, or the current one before its call): refused, not recorded, so the bid the agent sends
      // once the call comes is its first (one bid per subject and round is all the agent protocol takes).
      if (round > state.round || (round === state.round && state.phase === 'assessing')) {
        return appError('conflict', 'ROUND_NOT_OPEN', `round ${round} of job ${jobId} is not open for bids yet`, {
          jobId,
          round,
          currentRound: state.round,
          phase: state.phase,
        });
      }
      const reasons = proposalRefusals(state, round, subjectId, context.now);
      return [{ type: 'ProposalRecorded', data: { jobId, orgId, round, subjectId, bid, valid: reasons.length === 0, reasons, receivedAt: context.now } }];
    }
    case 'CloseRound': {
      if (state.phase === 'awarded' && state.award?.round === command.data.round) return [];
      if (state.round > command.data.round) return [];
      if (finished(state)) return [];
      if (command.data.round !== state.round) return wrongRound(state, command.data.round);
      if (state.assessments === null) return notAssessed(state);
      if (state.strategy === 'auction') {
        const invited = [...state.assessments.values()].some((c) => c.eligible && !state.excluded.includes(c.subjectId));
        if (state.phase === 'bidding' && state.closesAt !== null && Date.parse(context.now) < Date.parse(state.closesAt)) {
          return appError('conflict', 'BIDDING_OPEN', `bids for job ${jobId} are accepted until ${state.closesAt}`, { jobId, closesAt: state.closesAt });
        }
        if (state.phase === 'assessing' && invited)
          return appError('conflict', 'NO_CALL_FOR_PROPOSALS', `round ${state.round} of job ${jobId} has not called for proposals`, { jobId });
        const choice = bestProposal(state.proposals.filter((p) => !state.excluded.includes(p.subjectId)));
        if (choice === null)
          return failRound(
            state,
            invited ? 'no_valid_bids' : 'no_eligible_candidates',
            invited ? 'nobody made a valid bid before the deadline' : 'no candidate is eligible',
          );
        const declined = [...new Set(state.proposals.map((p) => p.subjectId))].filter((id) => id !== choice.subjectId);
        return [
          {
            type: 'AssignmentAwarded',
            data: { jobId, orgId, round: state.round, subjectId: choice.subjectId, contractId: command.data.contractId, basis: choice.basis, declined },
          },
        ];
      }
      const choice = bestCandidate(state.assessments.values(), state.excluded);
      if (choice === null) return failRound(state, 'no_eligible_candidates', 'no candidate is eligible');
      if (state.strategy === 'direct') choice.basis = 'named by the job (direct assignment) and eligible';
      return [
        {
          type: 'AssignmentAwarded',
          data: { jobId, orgId, round: state.round, subjectId: choice.subjectId, contractId: command.data.contractId, basis: choice.basis, declined: [] },
        },
      ];
    }
    case 'FailRound': {
      if (state.round > command.data.round || finished(state)) return [];
      if (command.data.round !== state.round) return wrongRound(state, command.data.round);
      return failRound(state, command.data.reason, command.data.detail);
    }
    case 'CompleteAssignment': {
      if (state.phase === 'completed' && state.award?.contractId === command.data.contractId) return [];
      if (state.phase !== 'awarded' || state.award?.contractId !== command.data.contractId) {
        return appError('conflict', 'NOT_AWARDED', `job ${jobId} was not awarded under contract ${command.data.contractId}`, {
          jobId,
          contractId: command.data.contractId,
        });
      }
      return [{ type: 'AssignmentCompleted', data: { jobId, orgId, subjectId: state.award.subjectId, contractId: state.award.contractId } }];
    }
    case 'CancelAssignment':
      return state.phase === 'cancelled' ? [] : [{ type: 'AssignmentCancelled', data: { jobId, orgId, reason: command.data.reason } }];
    case 'RestartAssignment': {
      if (state.phase !== 'completed' && state.phase !== 'escalated') {
        return appError('conflict', 'ASSIGNMENT_IN_PROGRESS', `job ${jobId}'s assignment is ${state.phase}; only a completed or escalated one restarts`, {
          jobId,
          phase: state.phase,
        });
      }
      const excluded = [...new Set(command.data.exclude)];
      return [{ type: 'AssignmentRestarted', data: { jobId, orgId, reason: command.data.reason, excluded } }];
    }
  }
}

function failRound(state: Assignment, reason: RoundFailure, detail: string): AssignmentEvent[] {
  const { jobId, orgId, round } = state;
  const events: AssignmentEvent[] = [{ type: 'AssignmentRoundFailed', data: { jobId, orgId, round, reason, detail } }];
  const failed = state.failedRounds + 1;
  if (failed >= state.maxRounds) {
    events.push({ type: 'AssignmentEscalated', data: { jobId, orgId, reason: clip(`${failed} round(s) failed; the last: ${detail}`), rounds: failed } });
  }
  return events;
}

/** Every reason a bid does not count; none means it is valid. */
function proposalRefusals(state: Assignment, round: number, subjectId: string, now: string): string[] {
  if (round !== state.round || state.phase !== 'bidding' || state.closesAt === null) {
    // Past: an earlier round, or the current one once it is awarded or the assignment ended. Otherwise the round is
    // still being assessed, or is a later one: the bid is early, not late.
    const late = round < state.round || (round === state.round && state.phase !== 'assessing');
    return [late ? `late: round ${round} is not open for bids` : `round ${round} is not open for bids yet`];
  }
  if (Date.parse(now) > Date.parse(state.closesAt)) return [`late: bids closed at ${state.closesAt}`];
  const reasons: string[] = [];
  const assessment = state.assessments?.get(subjectId);
  if (assessment === undefined) reasons.push('not invited: the subject was not a candidate');
  else if (!assessment.eligible) {
    // An ineligible assessment always refuses the bid, even one recorded without reasons.
    reasons.push(
      ...(assessment.reasons.length > 0
        ? assessment.reasons.map((reason) => clip(`ineligible: ${reason}`))
        : ['ineligible: the assessment found the subject ineligible']),
    );
  }
  if (state.excluded.includes(subjectId)) reasons.push('excluded: the subject refused or lost this job before');
  if (state.proposals.some((proposal) => proposal.subjectId === subjectId)) reasons.push('a second bid in the same round (the first one stands)');
  return reasons;
}

/** Reasons are bounded (`reasonTextSchema`); a prefix must not push a reason that fit over the limit. */
const REASON_LIMIT = reasonTextSchema.maxLength ?? 500;
const clip = (text: string) => (text.length > REASON_LIMIT ? `${text.slice(0, REASON_LIMIT - 1)}…` : text);

function currentRound(state: Assignment, round: number, phase: Assignment['phase']): AppError | undefined {
  if (round !== state.round) return wrongRound(state, round);
  if (state.phase !== phase) {
    return appError('conflict', 'ILLEGAL_PHASE', `round ${state.round} of job ${state.jobId} is ${state.phase}, not ${phase}`, {
      jobId: state.jobId,
      phase: state.phase,
    });
  }
  return undefined;
}

function wrongRound(state: Assignment, round: number): AppError {
  return appError('conflict', 'WRONG_ROUND', `job ${state.jobId} is in round ${state.round}, not ${round}`, {
    jobId: state.jobId,
    round: state.round,
    requested: round,
  });
}
const notAssessed = (state: Assignment) =>
  appError('conflict', 'ROUND_NOT_ASSESSED', `round ${state.round} of job ${state.jobId} is not assessed yet`, { jobId: state.jobId, round: state.round });
const notAnAuction = (state: Assignment) =>
  appError('conflict', 'NOT_AN_AUCTION', `job ${state.jobId} is assigned by ${state.strategy}, not by auction`, {
    jobId: state.jobId,
    strategy: state.strategy,
  });
const notFound = (jobId: string, orgId: string) =>
  appError('not_found', 'ASSIGNMENT_NOT_FOUND', `org ${orgId} has no assignment for job ${jobId}`, { jobId, orgId });
