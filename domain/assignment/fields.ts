import { z } from 'zod';
import { assignmentStrategySchema } from '../job/fields.ts';

export { assignmentStrategySchema };

/** Rounds an assignment may take (a round ends with an award, or fails: nobody eligible, no valid bid, a refusal). */
export const MAX_ROUNDS_LIMIT = 10;
export const DEFAULT_MAX_ROUNDS = 3;
/** Candidates assessed in one round: an org's whole eligible workforce at the scale we measured (1,000 agents). */
export const MAX_CANDIDATES = 5_000;
export const MAX_REASONS = 20;

export const reasonTextSchema = z.string().min(1).max(500);

/** One eligibility decision: who, whether, why (every failed check, not only the first), and the criteria score. */
export const candidateAssessmentSchema = z.strictObject({
  subjectId: z.uuid(),
  eligible: z.boolean(),
  reasons: z.array(reasonTextSchema).max(MAX_REASONS),
  /** The score expression's value for an eligible candidate under `criteria`; null otherwise. */
  score: z.number().finite().nullable(),
});
export type CandidateAssessment = z.infer<typeof candidateAssessmentSchema>;

/**
 * A bid. `price` is what the agent asks (in the job's budget currency when it has one); `etaSeconds` how long it
 * expects to take. The best bid is the lowest price, then the shortest eta, then the earliest received.
 */
export const bidSchema = z.strictObject({
  price: z.number().finite().nonnegative().max(Number.MAX_SAFE_INTEGER),
  etaSeconds: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 3600)
    .optional(),
  note: z.string().trim().min(1).max(1000).optional(),
});
export type Bid = z.infer<typeof bidSchema>;

export const roundFailureSchema = z.enum(['no_eligible_candidates', 'no_valid_bids', 'contract_rejected', 'assignee_lost']);
export type RoundFailure = z.infer<typeof roundFailureSchema>;
