import { z } from 'zod';
import { commandUnion } from '../shared/command-schema.ts';
import { uuidSchema } from '../shared/ids.ts';
import {
  assignmentStrategySchema,
  bidSchema,
  candidateAssessmentSchema,
  DEFAULT_MAX_ROUNDS,
  MAX_CANDIDATES,
  MAX_ROUNDS_LIMIT,
  reasonTextSchema,
  roundFailureSchema,
} from './fields.ts';
import { instantInputSchema } from '../job/fields.ts';

/** Like every command, each names the org: the pipeline reads the org's policy before the assignment's stream. */
const ref = { jobId: uuidSchema, orgId: uuidSchema };
const round = z.number().int().positive();
/** As the events store it, with the subject id kept in lower case (like every id a command carries), so one subject
 * is one key: the duplicate check, bids (`RecordProposal.subjectId`) and exclusions all compare lower-case ids. */
const candidateAssessmentCommandSchema = candidateAssessmentSchema.extend({ subjectId: uuidSchema });

export const assignmentCommandSchema = commandUnion({
  StartAssignment: z.strictObject({
    ...ref,
    strategy: assignmentStrategySchema,
    maxRounds: z.number().int().min(1).max(MAX_ROUNDS_LIMIT).default(DEFAULT_MAX_ROUNDS),
  }),
  RecordAssessment: z.strictObject({
    ...ref,
    round,
    candidates: z
      .array(candidateAssessmentCommandSchema)
      .max(MAX_CANDIDATES)
      .refine((items) => new Set(items.map((item) => item.subjectId)).size === items.length, 'one assessment per candidate'),
  }),
  IssueCallForProposals: z.strictObject({ ...ref, round, closesAt: instantInputSchema }),
  RecordProposal: z.strictObject({ ...ref, round, subjectId: uuidSchema, bid: bidSchema }),
  /** The contract id the award will use: derived by the saga from the job and round, so a retry awards the same. */
  CloseRound: z.strictObject({ ...ref, round, contractId: uuidSchema }),
  FailRound: z.strictObject({ ...ref, round, reason: roundFailureSchema, detail: reasonTextSchema }),
  CompleteAssignment: z.strictObject({ ...ref, contractId: uuidSchema }),
  CancelAssignment: z.strictObject({ ...ref, reason: reasonTextSchema }),
  /** The job went back to contracting (an escalation resolved with `reassign`): a new round, without these subjects. */
  RestartAssignment: z.strictObject({ ...ref, reason: reasonTextSchema, exclude: z.array(uuidSchema).max(100).default([]) }),
});
export type AssignmentCommand = z.infer<typeof assignmentCommandSchema>;
