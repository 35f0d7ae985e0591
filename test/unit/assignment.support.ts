/** Fixtures shared by the assignment specs (test/unit/assignment.*.spec.ts). */
import { expect } from 'vitest';
import { assignmentCommandSchema, type AssignmentCommand } from '../../domain/assignment/commands.ts';
import { assignmentDecider } from '../../domain/assignment/decider.ts';
import { assignmentEventDefinitions, type AssignmentEvent } from '../../domain/assignment/events.ts';
import type { AssignmentStrategy } from '../../domain/job/fields.ts';
import type { Bid, CandidateAssessment, RoundFailure } from '../../domain/assignment/fields.ts';
import type { AssignmentState } from '../../domain/assignment/state.ts';
import type { DecisionContext } from '../../domain/shared/decider.ts';
import { systemPrincipal } from '../../domain/shared/principal.ts';
import { assignmentEventsOf } from '../support/assignment-events.ts';
import { deciderSpec } from '../support/decider-spec.ts';

export const jobId = '7a1c0000-0000-4000-8000-000000000001';
export const orgId = '0e9a0000-0000-4000-8000-000000000001';
export const otherOrgId = '0e9a0000-0000-4000-8000-000000000002';
/** Subject ids sort by their number: subject(1) < subject(2) < ... */
export const subject = (n: number) => `5b000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
export const contract = (round: number) => `c0000000-0000-4000-8000-${round.toString().padStart(12, '0')}`;

export const now = '2026-11-27T10:00:00.000Z';
export const at = (seconds: number) => new Date(Date.parse(now) + seconds * 1000).toISOString();
/** The call for proposals of the specs closes 5 s after `now`. */
export const closesAt = at(5);

export const context: DecisionContext = { now, principal: systemPrincipal, commandId: 'cmd-assignment-1' };
export const spec = deciderSpec(assignmentDecider, context);

export const stateAfter = (events: readonly AssignmentEvent[]): AssignmentState => events.reduce(assignmentDecider.evolve, assignmentDecider.initialState);

/** Every command goes through the command schema, as the pipeline does (defaults, lower-cased ids). */
const command = (input: unknown): AssignmentCommand => assignmentCommandSchema.parse(input);
const ref = { jobId, orgId };

export const startAssignment = (strategy: AssignmentStrategy, maxRounds?: number) =>
  command({ type: 'StartAssignment', data: { ...ref, strategy, ...(maxRounds === undefined ? {} : { maxRounds }) } });
export const recordAssessment = (round: number, candidates: CandidateAssessment[]) =>
  command({ type: 'RecordAssessment', data: { ...ref, round, candidates } });
export const issueCallForProposals = (round: number, closes = closesAt) =>
  command({ type: 'IssueCallForProposals', data: { ...ref, round, closesAt: closes } });
export const recordProposal = (round: number, subjectId: string, bid: Bid) => command({ type: 'RecordProposal', data: { ...ref, round, subjectId, bid } });
export const closeRound = (round: number) => command({ type: 'CloseRound', data: { ...ref, round, contractId: contract(round) } });
export const failRound = (round: number, reason: RoundFailure, detail = `round ${round}: ${reason}`) =>
  command({ type: 'FailRound', data: { ...ref, round, reason, detail } });
export const completeAssignment = (contractId: string) => command({ type: 'CompleteAssignment', data: { ...ref, contractId } });
export const cancelAssignment = (reason = 'the job was cancelled') => command({ type: 'CancelAssignment', data: { ...ref, reason } });
export const restartAssignment = (exclude: string[] = [], reason = 'the escalation was resolved with reassign') =>
  command({ type: 'RestartAssignment', data: { ...ref, reason, exclude } });

export const eligible = (subjectId: string, score: number | null = null): CandidateAssessment => ({ subjectId, eligible: true, reasons: [], score });
export const ineligible = (subjectId: string, ...reasons: string[]): CandidateAssessment => ({ subjectId, eligible: false, reasons, score: null });

const events = assignmentEventsOf(ref, now, contract);
export const assignmentStarted = events.started;
export const candidatesAssessed = events.assessed;
export const callForProposalsIssued = (round: number, invitees: string[], closes = closesAt) => events.callForProposalsIssued(round, invitees, closes);
export const proposalRecorded = events.proposalRecorded;
export const assignmentAwarded = events.awarded;
export const roundFailed = events.roundFailed;
export const assignmentEscalated = events.escalated;
export const assignmentCompleted = events.completed;
export const assignmentCancelled = events.cancelled;
export const assignmentRestarted = events.restarted;

/** The decision's events, or a test failure naming the error. */
export function decide(events: readonly AssignmentEvent[], cmd: AssignmentCommand, ctx: Partial<DecisionContext> = {}): readonly AssignmentEvent[] {
  const outcome = assignmentDecider.decide(cmd, stateAfter(events), { ...context, ...ctx });
  if (!Array.isArray(outcome)) throw new Error(`expected events, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The events would be written: each matches its registered schema (as EventRegistry.encode checks). */
export function expectWritable(events: readonly AssignmentEvent[]): void {
  for (const event of events) {
    const definition = assignmentEventDefinitions.find((candidate) => candidate.type === event.type);
    const parsed = definition?.schema.safeParse(event.data);
    expect(parsed?.success, `${event.type}: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
  }
}
