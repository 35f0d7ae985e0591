import { z } from 'zod';
import { version1Definitions, type EventUnion } from '../events/registry.ts';
import { assignmentStrategySchema, bidSchema, candidateAssessmentSchema, MAX_CANDIDATES, reasonTextSchema, roundFailureSchema } from './fields.ts';

const ref = { jobId: z.uuid(), orgId: z.uuid() };

const assignmentStartedData = z.object({ ...ref, strategy: assignmentStrategySchema, maxRounds: z.number().int().positive(), startedAt: z.iso.datetime() });
const candidatesAssessedData = z.object({ ...ref, round: z.number().int().positive(), candidates: z.array(candidateAssessmentSchema).max(MAX_CANDIDATES) });
const callForProposalsIssuedData = z.object({
  ...ref,
  round: z.number().int().positive(),
  invitees: z.array(z.uuid()).max(MAX_CANDIDATES),
  closesAt: z.iso.datetime(),
});
const proposalRecordedData = z.object({
  ...ref,
  round: z.number().int().nonnegative(),
  subjectId: z.uuid(),
  bid: bidSchema,
  valid: z.boolean(),
  /** Why an invalid bid was refused: late, not invited (with the assessment's reasons), a second bid. */
  reasons: z.array(reasonTextSchema),
  receivedAt: z.iso.datetime(),
});
const assignmentAwardedData = z.object({
  ...ref,
  round: z.number().int().positive(),
  subjectId: z.uuid(),
  contractId: z.uuid(),
  /** Why this candidate: the score or the bid that won, and how ties were broken. */
  basis: reasonTextSchema,
  /** Bidders whose valid proposals lost (told so by a reject-proposal). */
  declined: z.array(z.uuid()),
});
const assignmentRoundFailedData = z.object({ ...ref, round: z.number().int().positive(), reason: roundFailureSchema, detail: reasonTextSchema });
const assignmentEscalatedData = z.object({ ...ref, reason: reasonTextSchema, rounds: z.number().int().nonnegative() });
const assignmentCompletedData = z.object({ ...ref, subjectId: z.uuid(), contractId: z.uuid() });
const assignmentCancelledData = z.object({ ...ref, reason: reasonTextSchema });
const assignmentRestartedData = z.object({ ...ref, reason: reasonTextSchema, excluded: z.array(z.uuid()) });

export const assignmentEventDefinitions = version1Definitions({
  AssignmentStarted: assignmentStartedData,
  CandidatesAssessed: candidatesAssessedData,
  CallForProposalsIssued: callForProposalsIssuedData,
  ProposalRecorded: proposalRecordedData,
  AssignmentAwarded: assignmentAwardedData,
  AssignmentRoundFailed: assignmentRoundFailedData,
  AssignmentEscalated: assignmentEscalatedData,
  AssignmentCompleted: assignmentCompletedData,
  AssignmentCancelled: assignmentCancelledData,
  AssignmentRestarted: assignmentRestartedData,
});

export type AssignmentEvent = EventUnion<typeof assignmentEventDefinitions>;
