import { z } from 'zod';

/**
 * Policy language (shared contract between the evaluator, the policy aggregate and the enforcement hook).
 * A rule applies to a request when one of its `actions` globs matches the action, the principal holds one of its
 * `roles` (when given), `when` evaluates to true (when given) and `unless` does not (when given).
 * Semantics (Cedar's): deny by default; any applicable forbid overrides every permit; order-independent.
 */
export const MAX_CONDITION_LENGTH = 2000;
export const MAX_RULES = 500;

export const actionPatternSchema = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9_]*)(\.(\*|[a-z][a-z0-9_]*))*$/, 'dot-separated lowercase words, * as a wildcard segment');

export const policyRuleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/),
  effect: z.enum(['permit', 'forbid']),
  actions: z.array(actionPatternSchema).min(1).max(50),
  roles: z.array(z.string().min(1).max(100)).max(50).optional(),
  when: z.string().min(1).max(MAX_CONDITION_LENGTH).optional(),
  unless: z.string().min(1).max(MAX_CONDITION_LENGTH).optional(),
  reason: z.string().min(1).max(1000),
  escalateTo: z.string().min(1).max(100).optional(),
});
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const policyRulesSchema = z.array(policyRuleSchema).max(MAX_RULES);

/** What a decision is made about. Everything a CEL condition can see. */
export interface PolicyRequest {
  principal: {
    id: string;
    kind: 'admin' | 'subject' | 'system';
    /** Effective roles in the org at this instant (inheritance, groups, job space and expiry applied). */
    roles: readonly string[];
    groups: readonly string[];
    /** Declared capabilities: name -> level. */
    capabilities: Readonly<Record<string, number>>;
  };
  action: string;
  resource: { type: string; id: string | null; jobSpace: string | null; attributes: Readonly<Record<string, unknown>> };
  org: { id: string | null; status: string | null; ownerId: string | null; tags: readonly string[]; metadata: Readonly<Record<string, string>> };
  /** The command's payload (its `data`). */
  command: { type: string; data: unknown };
  /** ISO-8601 instant; CEL sees it as a timestamp. */
  now: string;
}

export type RuleOutcome = 'applies' | 'not-applicable' | 'error';

export interface RuleEvaluation {
  ruleId: string;
  effect: 'permit' | 'forbid';
  outcome: RuleOutcome;
  /** Why it did not apply (`action`, `role`, `when`, `unless`) or the condition error's message. */
  detail?: string;
}

export interface PolicyDecision {
  outcome: 'permitted' | 'forbidden' | 'not-permitted';
  /** The forbids that applied (forbidden), or the permits that applied (permitted); empty for not-permitted. */
  determiningRuleIds: string[];
  reasons: string[];
  /** Every rule's outcome, so a decision explains itself. */
  evaluations: RuleEvaluation[];
  /** Conditions that failed to evaluate (they count as not applying). */
  errors: Array<{ ruleId: string; condition: 'when' | 'unless'; message: string }>;
  /** From the first determining forbid that names one. */
  escalateTo: string | null;
}
