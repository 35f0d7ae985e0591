import { z } from 'zod';
import { roleNameSchema } from '../roster/fields.ts';
import { capabilityLevelSchema, capabilityNameSchema } from '../subject/fields.ts';
import { boundedJsonObjectSchema, boundedJsonSchema, type JsonLimits } from '../shared/bounded-json.ts';

/*
 * Bounds. Together they keep any job command well under the policy engine's input limit (64 KiB serialized, see
 * domain/policy/cel-input.ts), so a policy condition can always read the whole command.
 */
export const MAX_OBJECTIVES = 20;
export const MAX_REQUIRED_CAPABILITIES = 50;
export const MAX_REQUIRED_ROLES = 20;
export const MAX_VERIFIERS = 20;
export const OUTPUT_TEMPLATE_LIMITS: JsonLimits = { maxChars: 16 * 1024, maxDepth: 16, maxEntries: 1_000 };
export const DELIVERABLE_LIMITS: JsonLimits = { maxChars: 32 * 1024, maxDepth: 16, maxEntries: 1_000 };

export const jobPrioritySchema = z.enum(['low', 'normal', 'high', 'critical']);
export type JobPriority = z.infer<typeof jobPrioritySchema>;

/**
 * When the job's work counts as complete: `single` (one delivery by the assignee), `all_tasks` (every task of the
 * job done, reported by the task work) or `verified` (a verifier accepts the delivery; needs at least one verifier).
 * Every job still ends through the same lifecycle (`delivered -> verified | rejected`).
 */
export const completionModeSchema = z.enum(['single', 'all_tasks', 'verified']);
export type CompletionMode = z.infer<typeof completionModeSchema>;

/** How an assignee is found; absent on a job means the org's configured default applies. */
export const assignmentStrategySchema = z.enum(['direct', 'criteria', 'auction']);
export type AssignmentStrategy = z.infer<typeof assignmentStrategySchema>;

/**
 * `resume`: back to the status the job was escalated from; `extend`: the same, with a new deadline (a missed deadline
 * given more time); `cancel`: cancelled; `reassign`: back to contracting.
 */
export const escalationResolutionSchema = z.enum(['resume', 'extend', 'cancel', 'reassign']);
export type EscalationResolution = z.infer<typeof escalationResolutionSchema>;

export const goalSchema = z.string().trim().min(1).max(2000);
export const objectiveSchema = z.string().trim().min(1).max(1000);
export const reasonSchema = z.string().trim().min(1).max(1000);
export const noteSchema = z.string().trim().min(1).max(2000);

export const capabilityRequirementSchema = z.strictObject({ name: capabilityNameSchema, level: capabilityLevelSchema });

/*
 * A job's lists at their bounds, one declaration for the command that gives them and the event that records them
 * (the command adds its uniqueness checks and defaults).
 */
export const objectivesSchema = z.array(objectiveSchema).max(MAX_OBJECTIVES);
export const requiredCapabilitiesSchema = z.array(capabilityRequirementSchema).max(MAX_REQUIRED_CAPABILITIES);
export const requiredRolesSchema = z.array(roleNameSchema).max(MAX_REQUIRED_ROLES);
export type CapabilityRequirement = z.infer<typeof capabilityRequirementSchema>;

/** ISO 4217 alphabetic code. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code: three capital letters');
export const budgetSchema = z.strictObject({
  amount: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
  currency: currencySchema,
});
export type Budget = z.infer<typeof budgetSchema>;

/** An instant with an explicit zone (`Z` or `+02:00`), kept in UTC so one instant has one spelling. */
export const instantInputSchema = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** What the result should look like, handed on to the contract and the verifier; the aggregate does not interpret it. */
export const outputTemplateSchema = boundedJsonObjectSchema(OUTPUT_TEMPLATE_LIMITS);
/** The work product: any JSON value but null. */
export const deliverableSchema = boundedJsonSchema(DELIVERABLE_LIMITS).refine((value) => value !== null, 'a deliverable cannot be null');

export const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;
