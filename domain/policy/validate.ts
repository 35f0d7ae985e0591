import type { z } from 'zod';
import { compileCondition } from './conditions.ts';
import { matchesAction } from './glob.ts';
import { MAX_RULES, policyRuleSchema, policyRulesSchema, type PolicyRule } from './types.ts';

/** One problem in a policy set: where (path into the submitted rules) and, for a condition, where in the expression. */
export interface PolicyValidationError {
  path: Array<string | number>;
  message: string;
  /** 0-based offset in the condition's source. */
  offset?: number;
  /** 1-based line and column in the condition's source. */
  line?: number;
  column?: number;
}

export type PolicyValidationResult = { ok: true; rules: PolicyRule[] } | { ok: false; errors: PolicyValidationError[] };

/**
 * Validates a policy set as drafted: every problem is reported, not just the first.
 * - shape (policyRuleSchema; each rule is checked on its own so one bad rule does not hide the others' problems);
 * - rule ids unique;
 * - `roles`, when given, not empty (an empty list would match no principal; omit it to apply to everyone);
 * - every action pattern matches at least one of `knownActions` (a pattern that can match nothing is a typo);
 * - every `when` / `unless` compiles in the condition environment (syntax, known variables and fields, types,
 *   limits, refused functions) and is of type bool (or dyn, checked at evaluation), with the error's position.
 */
export function validatePolicySet(rules: unknown, knownActions: readonly string[]): PolicyValidationResult {
  if (!Array.isArray(rules) || rules.length > MAX_RULES) {
    const parsed = policyRulesSchema.safeParse(rules);
    if (!parsed.success) return { ok: false, errors: fromZod(parsed.error, []) };
  }
  const items: readonly unknown[] = rules as readonly unknown[];
  const errors: PolicyValidationError[] = [];
  const valid: PolicyRule[] = [];
  const firstIndexById = new Map<string, number>();

  items.forEach((item, index) => {
    const parsed = policyRuleSchema.safeParse(item);
    if (!parsed.success) {
      errors.push(...fromZod(parsed.error, [index]));
      return;
    }
    const rule = parsed.data;
    valid.push(rule);

    const first = firstIndexById.get(rule.id);
    if (first === undefined) firstIndexById.set(rule.id, index);
    else errors.push({ path: [index, 'id'], message: `duplicate rule id '${rule.id}' (also the id of rule ${first})` });

    if (rule.roles !== undefined && rule.roles.length === 0) {
      errors.push({ path: [index, 'roles'], message: 'an empty roles list matches no principal; omit roles to apply the rule to every principal' });
    }

    rule.actions.forEach((pattern, actionIndex) => {
      if (!knownActions.some((action) => matchesAction(pattern, action))) {
        errors.push({ path: [index, 'actions', actionIndex], message: `action pattern '${pattern}' matches no known action` });
      }
    });

    for (const condition of ['when', 'unless'] as const) {
      const source = rule[condition];
      if (source === undefined) continue;
      const compiled = compileCondition(source);
      if (!compiled.ok) errors.push({ path: [index, condition], ...compiled.error });
    }
  });

  return errors.length === 0 ? { ok: true, rules: valid } : { ok: false, errors };
}

function fromZod(error: z.ZodError, prefix: ReadonlyArray<string | number>): PolicyValidationError[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))],
    message: issue.message,
  }));
}
