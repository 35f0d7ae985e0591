import type { CallForProposals } from '../../../domain/agent-protocol/messages.ts';
import { agentInboxSubject } from '../../../domain/agent-protocol/subjects.ts';
import type { Assignment } from '../../../domain/assignment/state.ts';
import type { Job } from '../../../domain/job/state.ts';
import type { SagaEvent } from '../../saga-runner.ts';
import type { WorkflowContext } from '../../workflow.ts';
import { assessLoadedCandidates } from '../candidates.ts';
import type { AssignmentWorkflowState as State } from './state.ts';
import { type AssignmentStep, closeRound } from './steps.ts';
import { AUCTION_CLOSE } from './timer-refs.ts';

/** A submitted job starts contracting, and its assignment with the job's strategy (else the org's). */
export function onSubmitted(state: State): AssignmentStep[] {
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
export function runRound(state: State): AssignmentStep[] {
  const round = roundToAssess(state);
  return round === null ? [] : [{ kind: 'follow', input: { type: 'assess-round', jobId: round.job.jobId } }];
}

export function assessRound(state: State, context: WorkflowContext): AssignmentStep[] {
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

/** An assessed round: an auction with someone eligible calls for proposals; any other round closes at once. */
export function afterAssessment(state: State, context: WorkflowContext): AssignmentStep[] {
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
export function callForProposals(event: SagaEvent<'CallForProposalsIssued'>, state: State, context: WorkflowContext): AssignmentStep[] {
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
