import type { Award, CallForProposals, ProposalRejected } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { Assignment } from '../../../domain/assignment/state.ts';
import { isFinalContractStatus, type Contract } from '../../../domain/contract/state.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import { assessLoadedCandidates } from '../candidates.ts';
import type { WorkStep } from '../work-command.ts';
import type { AssignmentFollowUp } from './follow-ups.ts';
import { contractIdFor } from './ids.ts';
import type { AssignmentWorkflowState } from './state.ts';
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
type AssignmentStep = WorkStep<AssignmentFollowUp>;
type State = AssignmentWorkflowState;

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

function onSubmitted(state: State): AssignmentStep[] {
  const { job, settings } = state;
  if (job === null || settings === null) return [];
  const { jobId, orgId } = job;
  const strategy = job.assignmentStrategy ?? settings.assignmentStrategy;
  const steps: AssignmentStep[] = [];
  if (job.status === 'submitted') {
    steps.push({ kind: 'command', command: { aggregate: 'job', type: 'StartContracting', data: { jobId, orgId } }, commandId: `assign:${jobId}:contracting` });
  }
  steps.push({
    kind: 'command',
    command: { aggregate: 'assignment', type: 'StartAssignment', data: { jobId, orgId, strategy, maxRounds: settings.maxRounds } },
    commandId: `assign:${jobId}:start`,
  });
  return steps;
}

/** Whether the job's current round still needs its candidates assessed. */
export function roundToAssess(state: Pick<State, 'job' | 'assignment'>): { job: Job; assignment: Assignment } | null {
  const { job, assignment } = state;
  if (job === null || assignment === null) return null;
  if (assignment.phase !== 'assessing' || assignment.assessments !== null || job.status !== 'contracting') return null;
  return { job, assignment };
}

/** A round needs its candidates assessed (the start, a failed round, a restart): read them, then decide. */
function runRound(state: State): AssignmentStep[] {
  const round = roundToAssess(state);
  return round === null ? [] : [{ kind: 'follow', input: { type: 'assess-round', jobId: round.job.jobId } }];
}

function assessRound(state: State, context: WorkflowContext): AssignmentStep[] {
  const round = roundToAssess(state);
  if (round === null || state.settings === null || state.candidates === null) return [];
  const { job, assignment } = round;
  const candidates = assessLoadedCandidates({ job, assignment, settings: state.settings, now: context.now, ...state.candidates });
  return [
    {
      kind: 'command',
      command: { aggregate: 'assignment', type: 'RecordAssessment', data: { jobId: job.jobId, orgId: job.orgId, round: assignment.round, candidates } },
      commandId: `assign:${job.jobId}:assess:${assignment.round}`,
    },
  ];
}

function afterAssessment(state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, assignment, settings } = state;
  if (job === null || settings === null || assignment === null) return [];
  if (assignment.phase !== 'assessing' || assignment.assessments === null) return [];
  const anyEligible = [...assignment.assessments.values()].some((c) => c.eligible && !assignment.excluded.includes(c.subjectId));
  if (assignment.strategy !== 'auction' || !anyEligible) return [closeRound(job, assignment.round)];
  const closesAt = new Date(Date.parse(context.now) + settings.bidWindowMs).toISOString();
  return [
    {
      kind: 'command',
      command: { aggregate: 'assignment', type: 'IssueCallForProposals', data: { jobId: job.jobId, orgId: job.orgId, round: assignment.round, closesAt } },
      commandId: `assign:${job.jobId}:cfp:${assignment.round}`,
    },
  ];
}

/** Sends the call for proposals to each invitee (again, after a restart, while it is open) and sets its deadline. */
function callForProposals(event: SagaEvent<'CallForProposalsIssued'>, state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, assignment } = state;
  const { jobId, round, invitees, closesAt } = event.data;
  if (job === null || assignment === null || assignment.round !== round || assignment.phase !== 'bidding') return [];
  const deadline: AssignmentStep = {
    kind: 'schedule',
    timer: { key: `${AUCTION_CLOSE}:${jobId}:${round}`, orgId: job.orgId, dueAt: closesAt, purpose: AUCTION_CLOSE, ref: { jobId, round } },
  };
  if (Date.parse(closesAt) <= Date.parse(context.now)) return [deadline];
  const cfp: CallForProposals = {
    orgId: job.orgId,
    jobId,
    round,
    closesAt,
    goal: job.goal,
    objectives: job.objectives,
    requiredCapabilities: job.requiredCapabilities,
    budget: job.budget,
    deadline: job.deadline,
  };
  return [deadline, ...invitees.map((subjectId): AssignmentStep => ({ kind: 'publish', subject: agentInboxSubject(subjectId, 'cfp'), data: cfp }))];
}

function closeRound(job: Job, round: number): AssignmentStep {
  return {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CloseRound', data: { jobId: job.jobId, orgId: job.orgId, round, contractId: contractIdFor(job.jobId, round) } },
    commandId: `assign:${job.jobId}:close:${round}`,
  };
}

function onAwarded(event: SagaEvent<'AssignmentAwarded'>, state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, assignment, settings } = state;
  const award = event.data;
  if (job === null || settings === null || assignment === null) return [];
  if (assignment.award?.contractId !== award.contractId || assignment.phase !== 'awarded') return [];
  const { jobId } = job;
  const steps: AssignmentStep[] = [];
  // Drafted already (a replay; the deadline or the settings may differ by now): the step is done.
  if (state.contract === null) {
    const obligations =
      job.deadline !== null && Date.parse(job.deadline) > Date.parse(context.now)
        ? [{ obligationId: 'delivery', description: `deliver: ${job.goal}`.slice(0, 500), dueAt: job.deadline }]
        : [];
    steps.push({
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'DraftContract',
        data: {
          contractId: award.contractId,
          orgId: job.orgId,
          jobId,
          assigneeSubjectId: award.subjectId,
          verifierSubjectIds: job.verifierSubjectIds,
          permittedActions: settings.permittedActions,
          permittedTools: settings.permittedTools,
          deliverables: job.objectives.length > 0 ? job.objectives.map((objective) => objective.slice(0, 500)) : [job.goal.slice(0, 500)],
          obligations,
          escalateTo: settings.escalateTo,
          reviewRequired: settings.contractReviewRequired,
        },
      },
      commandId: `assign:${award.contractId}:draft`,
      ifRefused: (refusal) => [
        { kind: 'log', level: 'warn', fields: { jobId, code: refusal.code }, message: 'the contract of an award could not be drafted; the round fails' },
        failRound(job, assignment, 'contract_rejected', `the contract could not be drafted: ${refusal.message}`.slice(0, 500)),
      ],
    });
  }
  for (const subjectId of award.declined) {
    const rejected: ProposalRejected = { orgId: job.orgId, jobId, round: award.round, reason: 'another bid won' };
    steps.push({ kind: 'publish', subject: agentInboxSubject(subjectId, 'reject'), data: rejected });
  }
  if (!settings.contractReviewRequired) steps.push(...offer(job, award.contractId, award.round, award.basis));
  return steps;
}

/** The org signs its side; then the chosen agent is asked to sign (accept-proposal). */
function offer(job: Job, contractId: string, round: number, basis: string): AssignmentStep[] {
  return [
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'SignContract', data: { contractId, orgId: job.orgId, party: 'org' } },
      commandId: `assign:${contractId}:sign-org`,
    },
    { kind: 'follow', input: { type: 'offer', jobId: job.jobId, contractId, round, basis } },
  ];
}

function onOrgSigned(input: Extract<AssignmentFollowUp, { type: 'offer' }>, state: State, context: WorkflowContext): AssignmentStep[] {
  const { job, contract, settings } = state;
  const { contractId, round, basis } = input;
  if (job === null || settings === null || contract === null || contract.contractId !== contractId || contract.status !== 'awaiting_signatures') return [];
  const message: Award = {
    orgId: job.orgId,
    jobId: job.jobId,
    round,
    basis,
    goal: job.goal,
    contract: {
      contractId,
      permittedActions: contract.permittedActions,
      permittedTools: contract.permittedTools,
      deliverables: contract.deliverables,
      obligations: contract.obligations.map(({ obligationId, description, dueAt }) => ({ obligationId, description, dueAt })),
    },
  };
  // The offer is a one-off message: an agent that never answers must not hold the job. The timer is durable.
  const timeoutMs = settings.signatureTimeoutMs;
  const timer = {
    key: `${SIGNATURE_DUE}:${contractId}`,
    orgId: job.orgId,
    dueAt: new Date(Date.parse(context.now) + timeoutMs).toISOString(),
    purpose: SIGNATURE_DUE,
    ref: { contractId, jobId: job.jobId, timeoutMs },
  };
  return [
    { kind: 'schedule', timer },
    { kind: 'publish', subject: agentInboxSubject(contract.assigneeSubjectId, 'accept'), data: message },
  ];
}

/** Not signed in time: the org withdraws the offer (a rejection, on record), and the next round goes on without it. */
function onSignatureDue(timer: { contractId: string; timeoutMs?: unknown }, state: State): AssignmentStep[] {
  const { contract } = state;
  if (contract === null || contract.contractId !== timer.contractId || contract.status !== 'awaiting_signatures') return [];
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'contract',
        type: 'RejectContract',
        data: {
          contractId: contract.contractId,
          orgId: contract.orgId,
          party: 'org',
          reason: `the assignee did not sign within ${String(timer.timeoutMs)} ms`,
        },
      },
      commandId: `assign:${contract.contractId}:signature-due`,
    },
  ];
}

function assignUnder(job: Job, contractId: string, assigneeSubjectId: string): AssignmentStep[] {
  const { jobId, orgId } = job;
  const complete: AssignmentStep = {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CompleteAssignment', data: { jobId, orgId, contractId } },
    commandId: `assign:${contractId}:complete`,
  };
  if (job.status !== 'contracting') return [complete];
  return [
    {
      kind: 'command',
      command: { aggregate: 'job', type: 'AssignJob', data: { jobId, orgId, assigneeSubjectId, contractId } },
      commandId: `assign:${contractId}:assign-job`,
      ifRefused: 'stop',
    },
    complete,
  ];
}

function failRound(job: Job, assignment: Assignment, reason: 'contract_rejected' | 'assignee_lost', detail: string): AssignmentStep {
  return {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'FailRound', data: { jobId: job.jobId, orgId: job.orgId, round: assignment.round, reason, detail } },
    commandId: `assign:${job.jobId}:fail:${assignment.round}`,
  };
}

function onEscalated(event: SagaEvent<'AssignmentEscalated'>, state: State): AssignmentStep[] {
  const { job, assignment, settings } = state;
  if (job === null || settings === null || assignment?.phase !== 'escalated') return [];
  if (job.status !== 'contracting' && job.status !== 'submitted') return [];
  return [
    {
      kind: 'command',
      command: {
        aggregate: 'job',
        type: 'EscalateJob',
        data: { jobId: job.jobId, orgId: job.orgId, reason: `no assignee found: ${event.data.reason}`.slice(0, 1000), escalateTo: settings.escalateTo },
      },
      commandId: `assign:${job.jobId}:escalate:${assignment.round}`,
    },
  ];
}

/**
 * An escalation resolved. Back to contracting: `reassign` drops whoever was chosen (its contract is terminated) and
 * assigns anew without it; `resume` / `extend` carry on where the assignment was (an offer signed meanwhile is
 * assigned now). Cancelled: as a cancelled job.
 */
function onEscalationResolved(event: SagaEvent<'JobEscalationResolved'>, state: State): AssignmentStep[] {
  const { status, resolution } = event.data;
  if (status === 'cancelled') return onJobEnded(state);
  if (status !== 'contracting') return [];
  const { job, assignment, contract } = state;
  if (job === null || assignment === null) return [];
  if (assignment.phase === 'completed' || assignment.phase === 'escalated') {
    const exclude = resolution === 'reassign' && assignment.phase === 'completed' && assignment.award ? [assignment.award.subjectId] : [];
    return [
      {
        kind: 'command',
        command: {
          aggregate: 'assignment',
          type: 'RestartAssignment',
          data: { jobId: job.jobId, orgId: job.orgId, reason: `the job went back to contracting (${resolution})`, exclude },
        },
        commandId: `assign:${job.jobId}:restart:${event.eventId}`,
      },
    ];
  }
  if (assignment.phase === 'awarded' && assignment.award) {
    const awarded = contract?.contractId === assignment.award.contractId ? contract : null;
    if (resolution === 'reassign') {
      return [
        ...terminateAward(job.orgId, awarded, 'the job was reassigned before it was assigned'),
        failRound(job, assignment, 'assignee_lost', 'the job was reassigned by its escalatee'),
      ];
    }
    // Signed while the job was on hold: assign it now.
    return awarded?.status === 'active' ? assignUnder(job, assignment.award.contractId, awarded.assigneeSubjectId) : [];
  }
  // Assessing (or a round that failed while on hold): run it now that the job is contracting again.
  return runRound(state);
}

/** The job ended before it was assigned: the assignment stops and an offer still open is withdrawn. */
function onJobEnded(state: State): AssignmentStep[] {
  const { job, assignment, contract } = state;
  if (job === null || assignment === null) return [];
  const cancel: AssignmentStep = {
    kind: 'command',
    command: { aggregate: 'assignment', type: 'CancelAssignment', data: { jobId: job.jobId, orgId: job.orgId, reason: 'the job was cancelled' } },
    commandId: `assign:${job.jobId}:cancel`,
  };
  if (assignment.phase !== 'awarded' || !assignment.award) return [cancel];
  const awarded = contract?.contractId === assignment.award.contractId ? contract : null;
  return [cancel, ...terminateAward(job.orgId, awarded, 'the job was cancelled')];
}

function terminateAward(orgId: string, contract: Contract | null, reason: string): AssignmentStep[] {
  if (contract === null || isFinalContractStatus(contract.status)) return [];
  const { contractId } = contract;
  return [
    {
      kind: 'command',
      command: { aggregate: 'contract', type: 'TerminateContract', data: { contractId, orgId, reason } },
      commandId: `assign:${contractId}:terminate`,
    },
  ];
}
