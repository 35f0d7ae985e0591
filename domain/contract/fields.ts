import { z } from 'zod';
import { actionPatternSchema } from '../policy/types.ts';
import { roleNameSchema } from '../roster/fields.ts';
import { toolNameSchema } from '../tool/spec.ts';

/*
 * Bounds. They keep any contract command well under the policy engine's input limit (64 KiB serialized, see
 * domain/policy/cel-input.ts), so a policy condition can always read the whole command, and keep the clause check
 * the task decider runs on every assignee command cheap.
 */
export const MAX_VERIFIERS = 20;
export const MAX_PERMITTED_ACTIONS = 50;
export const MAX_PERMITTED_TOOLS = 50;
export const MAX_DELIVERABLES = 20;
export const MAX_OBLIGATIONS = 20;

/**
 * The two parties that sign a contract: the org that offers the work, and the subject (usually an agent) that does
 * it. Both signatures make the contract active.
 */
export const contractPartySchema = z.enum(['org', 'assignee']);
export type ContractParty = z.infer<typeof contractPartySchema>;

/** What a breach records: a deadline of an obligation passed, or the assignee tried what the contract does not permit. */
export const breachKindSchema = z.enum(['deadline_missed', 'forbidden_action']);
export type BreachKind = z.infer<typeof breachKindSchema>;

/**
 * A pattern over governed actions, in the policy language's glob (`task.*`, `job.deliver`; see
 * domain/policy/glob.ts), so one grammar says what an actor may do whether a policy or a contract is asking.
 */
export const permittedActionSchema = actionPatternSchema;

/** An obligation's id, unique within its contract; clauses name it (`obligations.<obligationId>`). */
export const obligationIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'a slug: lowercase letters and digits, words joined by - or _')
  .max(64);

export const deliverableDescriptionSchema = z.string().trim().min(1).max(1000);
export const obligationDescriptionSchema = z.string().trim().min(1).max(2000);
export const reasonSchema = z.string().trim().min(1).max(1000);
export const noteSchema = z.string().trim().min(1).max(2000);
export const breachDetailsSchema = z.string().trim().min(1).max(2000);
/** Caller-chosen, so a process that records the same breach twice (a retry, a restart) records it once. */
export const breachIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/, 'letters, digits, _ . : and -, at most 200 characters');
/** The clause a breach is of: a term (`permittedTools`) or an obligation (`obligations.final`). Free text, bounded. */
export const clauseSchema = z.string().trim().min(1).max(200);

/** An instant with an explicit zone (`Z` or `+02:00`), kept in UTC so one instant has one spelling. */
export const instantInputSchema = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** The role an escalation about this contract goes to (a breach, a missed deadline); null: none named. */
export const escalateToSchema = roleNameSchema.nullable();

/*
 * A contract's lists at their bounds, one declaration for the command that gives them and the event that records them
 * (the command adds its uniqueness checks and defaults).
 */
export const permittedActionsSchema = z.array(permittedActionSchema).max(MAX_PERMITTED_ACTIONS);
export const permittedToolsSchema = z.array(toolNameSchema).max(MAX_PERMITTED_TOOLS);
export const deliverablesSchema = z.array(deliverableDescriptionSchema).max(MAX_DELIVERABLES);

/** As recorded in events and state: the due instant is already in UTC. */
export const obligationSchema = z.object({
  obligationId: obligationIdSchema,
  description: obligationDescriptionSchema,
  dueAt: z.iso.datetime(),
});
export type Obligation = z.infer<typeof obligationSchema>;

export const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;
