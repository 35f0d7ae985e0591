/** Fixtures shared by the assignment workflow specs (test/unit/assignment-saga.*.spec.ts), on the job fixtures' ids. */
import { assignmentDecider } from '../../domain/assignment/decider.ts';
import type { AssignmentEvent } from '../../domain/assignment/events.ts';
import type { CandidateAssessment, RoundFailure } from '../../domain/assignment/fields.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import type { PlatformEventOf, PlatformEventType } from '../../domain/events/catalog.ts';
import type { JobEvent } from '../../domain/job/events.ts';
import type { AssignmentStrategy } from '../../domain/job/fields.ts';
import { decideAssignment } from '../../processes/work/assignment/decide.ts';
import { contractIdFor } from '../../processes/work/assignment/ids.ts';
import type { AssignmentStep } from '../../processes/work/assignment/steps.ts';
import { noAssignmentState, type AssignmentWorkflowState } from '../../processes/work/assignment/state.ts';
import { contractingStarted, jobId, jobStateAfter, jobSubmitted, now, orgId } from '../support/job-fixtures.ts';
import { placed, workflowSpec } from '../support/workflow-spec.ts';

export const spec = workflowSpec(decideAssignment, { now });
export type { AssignmentStep } from '../../processes/work/assignment/steps.ts';
export const settings = workSettingsOf({});
export const at = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
export const event = <Type extends PlatformEventType>(input: PlatformEventOf<Type>) => placed(input);

const ref = { jobId, orgId };
export const started = (strategy: AssignmentStrategy, maxRounds = 3): AssignmentEvent => ({
  type: 'AssignmentStarted',
  data: { ...ref, strategy, maxRounds, startedAt: now },
});
export const assessed = (round: number, candidates: CandidateAssessment[]): AssignmentEvent => ({
  type: 'CandidatesAssessed',
  data: { ...ref, round, candidates },
});
export const cfpIssued = (round: number, invitees: string[], closesAt: string): AssignmentEvent => ({
  type: 'CallForProposalsIssued',
  data: { ...ref, round, invitees, closesAt },
});
export const awarded = (round: number, subjectId: string, declined: string[] = []): AssignmentEvent => ({
  type: 'AssignmentAwarded',
  data: { ...ref, round, subjectId, contractId: contractIdFor(jobId, round), basis: 'best score', declined },
});
export const roundFailed = (round: number): AssignmentEvent => ({
  type: 'AssignmentRoundFailed',
  data: { ...ref, round, reason: 'contract_rejected', detail: 'refused' },
});
export const escalatedAssignment = (rounds: number): AssignmentEvent => ({
  type: 'AssignmentEscalated',
  data: { ...ref, reason: 'no eligible candidate', rounds },
});
export const completed = (round: number, subjectId: string): AssignmentEvent => ({
  type: 'AssignmentCompleted',
  data: { ...ref, subjectId, contractId: contractIdFor(jobId, round) },
});
export const eligible = (subjectId: string, score: number | null = null): CandidateAssessment => ({ subjectId, eligible: true, reasons: [], score });
export const ineligible = (subjectId: string, reason: string): CandidateAssessment => ({ subjectId, eligible: false, reasons: [reason], score: null });

export const assignmentAfter = (events: readonly AssignmentEvent[]) => events.reduce(assignmentDecider.evolve, assignmentDecider.initialState);
export const contractingJob = (overrides: Parameters<typeof jobSubmitted>[0] = {}) => jobStateAfter([jobSubmitted(overrides), contractingStarted]);

/** The workflow's state: the job contracting (unless given), the assignment after `assignment`, the default settings. */
export function stateWith(
  assignment: readonly AssignmentEvent[],
  extra: Partial<AssignmentWorkflowState> & { jobEvents?: readonly JobEvent[] } = {},
): AssignmentWorkflowState {
  const { jobEvents, ...rest } = extra;
  return {
    ...noAssignmentState,
    job: jobEvents === undefined ? contractingJob() : jobStateAfter(jobEvents),
    assignment: assignmentAfter(assignment),
    settings,
    ...rest,
  };
}

export const contractOf = (round: number) => contractIdFor(jobId, round);

/** The step that fails a round of the job's assignment, as the workflow sends it when the round cannot go on. */
export const failRoundStep = (round: number, reason: RoundFailure, detail: string): AssignmentStep => ({
  kind: 'command',
  command: { aggregate: 'assignment', type: 'FailRound', data: { jobId, orgId, round, reason, detail } },
  commandId: `assign:${jobId}:fail:${round}`,
});
