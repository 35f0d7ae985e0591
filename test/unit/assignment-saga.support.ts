/** Fixtures shared by the assignment workflow specs (test/unit/assignment-saga.*.spec.ts), on the job fixtures' ids. */
import { assignmentDecider } from '../../domain/assignment/decider.ts';
import type { AssignmentEvent } from '../../domain/assignment/events.ts';
import type { CandidateAssessment, RoundFailure } from '../../domain/assignment/fields.ts';
import { workSettingsOf } from '../../domain/assignment/work-settings.ts';
import type { PlatformEventOf, PlatformEventType } from '../../domain/events/catalog.ts';
import type { JobEvent } from '../../domain/job/events.ts';
import { decideAssignment } from '../../processes/work/assignment/decide.ts';
import { contractIdFor } from '../../processes/work/assignment/ids.ts';
import type { AssignmentStep } from '../../processes/work/assignment/steps.ts';
import { noAssignmentState, type AssignmentWorkflowState } from '../../processes/work/assignment/state.ts';
import { contractingStarted, jobId, jobStateAfter, jobSubmitted, now, orgId } from '../support/job-fixtures.ts';
import { assignmentEventsOf } from '../support/assignment-events.ts';
import { placed, workflowSpec } from '../support/workflow-spec.ts';

export const spec = workflowSpec(decideAssignment, { now });
export type { AssignmentStep } from '../../processes/work/assignment/steps.ts';
export const settings = workSettingsOf({});
export const at = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
export const event = <Type extends PlatformEventType>(input: PlatformEventOf<Type>) => placed(input);

const events = assignmentEventsOf({ jobId, orgId }, now, (round) => contractIdFor(jobId, round));
export const started = events.started;
export const assessed = events.assessed;
export const cfpIssued = events.callForProposalsIssued;
export const awarded = (round: number, subjectId: string, declined: string[] = []) => events.awarded(round, subjectId, 'best score', declined);
export const roundFailed = (round: number) => events.roundFailed(round, 'contract_rejected', 'refused');
export const escalatedAssignment = (rounds: number) => events.escalated('no eligible candidate', rounds);
export const completed = events.completed;
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
