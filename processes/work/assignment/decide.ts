import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import { offer, onAwarded, onOrgSigned, onSignatureDue } from './award.ts';
import type { AssignmentFollowUp } from './follow-ups.ts';
import { onEscalated, onEscalationResolved, onJobEnded } from './on-hold.ts';
import { afterAssessment, assessRound, callForProposals, onSubmitted, runRound } from './rounds.ts';
import type { AssignmentWorkflowState as State } from './state.ts';
import { type AssignmentStep, assignUnder, closeRound, failRound } from './steps.ts';
import { AUCTION_CLOSE, assignmentTimerOf, SIGNATURE_DUE } from './timer-refs.ts';

export const assignmentEventTypes = [
  'JobSubmitted',
  'AssignmentStarted',
  'AssignmentRestarted',
  'CandidatesAssessed',
  'CallForProposalsIssued',
  'AssignmentRoundFailed',
  'AssignmentAwarded',
  'AssignmentEscalated',
  'ContractReviewed',
  'ContractActivated',
  'ContractRejected',
  'JobCancelled',
  'JobEscalationResolved',
  'TimerFired',
] as const;
export type AssignmentInput = SagaEvent<(typeof assignmentEventTypes)[number]> | AssignmentFollowUp;

/**
 * The assignment of each job, from submission to an assignee under a signed contract:
 *
 *   JobSubmitted -> StartContracting + StartAssignment (strategy: the job's, else the org's `work.assignmentStrategy`)
 *   round starts -> assess every candidate (recorded) -> direct/criteria: close the round at once;
 *                   auction: call for proposals (cfp to each invitee) + a durable timer at the bid deadline
 *   auction timer fires -> close the round: the best valid bid wins (or the round fails)
 *   awarded -> draft the contract (terms from the job and the org's work settings), the org signs (unless the org
 *              reviews contracts first), accept-proposal to the winner, reject-proposal to the other bidders
 *   contract activated (the assignee signed) -> AssignJob, assignment completed
 *   contract rejected -> the round fails, the next round runs without that subject
 *   last round failed -> the job is escalated to the org's `work.escalateTo` role
 *
 * Each decision is taken on the current state and does only what is still missing, with deterministic command ids.
 */
export function decideAssignment(input: AssignmentInput, state: State, context: WorkflowContext): AssignmentStep[] {
  switch (input.type) {
    case 'JobSubmitted':
      return onSubmitted(state);
    case 'AssignmentStarted':
    case 'AssignmentRestarted':
    case 'AssignmentRoundFailed':
      return runRound(state);
    case 'assess-round':
      return assessRound(state, context);
    case 'CandidatesAssessed':
      return afterAssessment(state, context);
    case 'CallForProposalsIssued':
      return callForProposals(input, state, context);
    case 'TimerFired': {
      const timer = assignmentTimerOf(input);
      if (timer?.purpose === AUCTION_CLOSE) return state.assignment?.round === timer.round && state.job !== null ? [closeRound(state.job, timer.round)] : [];
      if (timer?.purpose === SIGNATURE_DUE) return onSignatureDue(timer, state);
      return [];
    }
    case 'AssignmentAwarded':
      return onAwarded(input, state, context);
    case 'ContractReviewed': {
      const { contractId, approved } = input.data;
      // A disapproval rejects the contract: ContractRejected follows.
      if (!approved || state.job === null || state.assignment?.award?.contractId !== contractId) return [];
      return offer(state.job, contractId, state.assignment.award.round, 'approved after review');
    }
    case 'offer':
      return onOrgSigned(input, state, context);
    case 'ContractActivated': {
      const { contractId, assigneeSubjectId, orgId } = input.data;
      const { job, assignment } = state;
      if (job === null || assignment?.award?.contractId !== contractId || job.orgId !== orgId) return [];
      // On hold (escalated while the offer was out): assigned when the escalation is resolved, not now.
      if (job.status !== 'contracting' && job.assignment?.contractId !== contractId) return [];
      return assignUnder(job, contractId, assigneeSubjectId);
    }
    case 'ContractRejected': {
      const { contractId, party, reason } = input.data;
      const { job, assignment } = state;
      if (job === null || assignment?.award?.contractId !== contractId || assignment.phase !== 'awarded') return [];
      return [failRound(job, assignment, 'contract_rejected', `the ${party} rejected the contract: ${reason}`.slice(0, 500))];
    }
    case 'AssignmentEscalated':
      return onEscalated(input, state);
    case 'JobCancelled':
      return onJobEnded(state);
    case 'JobEscalationResolved':
      return onEscalationResolved(input, state);
  }
}
