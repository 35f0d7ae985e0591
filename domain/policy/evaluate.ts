import { toConditionInput, type ConditionInputResult } from './cel-input.ts';
import { compileCondition, describeConditionError } from './conditions.ts';
import { matchesAnyAction } from './glob.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule, RuleEvaluation } from './types.ts';

type ConditionName = 'when' | 'unless';
type DecisionError = PolicyDecision['errors'][number];

/**
 * Decides a request against a rule set (pure: time comes in `request.now`).
 *
 * A rule applies when one of its action globs matches the action, AND it names no roles or the principal holds one
 * of them (exact names; `principal.roles` is the effective list the caller computed, inheritance included; an empty
 * `roles` list matches no one), AND `when` is absent or true, AND `unless` is absent or false. Checks run in that
 * order and stop at the first that fails, so conditions are only evaluated for rules whose action and roles match
 * (and `unless` only when `when` held); `detail` names the check that failed: `action`, `role`, `when`, `unless`.
 *
 * A condition that errors (runtime error, non-bool result, condition that does not compile, request over the input
 * limits) makes its rule NOT apply, like Cedar's "errors skip the policy": outcome `error`, with the message in the
 * rule's `detail` and in `errors`. This holds for forbids too: a forbid whose `when` errors does not forbid. Callers
 * that must fail closed can check `errors` for forbid rules (or validate policies so conditions guard with `has()`).
 *
 * Outcome: any applicable forbid -> `forbidden` (determining = all applicable forbids); else any applicable permit
 * -> `permitted` (determining = all applicable permits); else `not-permitted`. Order-independent: determining ids,
 * reasons, evaluations and errors are sorted by rule id, and `escalateTo` comes from the first determining forbid in
 * that order that names one. Rule ids are expected to be unique (validatePolicySet enforces it).
 */
export function evaluatePolicy(rules: readonly PolicyRule[], request: PolicyRequest): PolicyDecision {
  const state: DecisionState = { request, input: undefined, evaluations: [], errors: [], forbids: [], permits: [] };
  const held: ReadonlySet<string> = new Set(request.principal.roles);

  for (const rule of rules) {
    if (!matchesAnyAction(rule.actions, request.action)) {
      state.evaluations.push({ ruleId: rule.id, effect: rule.effect, outcome: 'not-applicable', detail: 'action' });
    } else if (rule.roles !== undefined && !holdsAny(held, rule.roles)) {
      state.evaluations.push({ ruleId: rule.id, effect: rule.effect, outcome: 'not-applicable', detail: 'role' });
    } else if (conditionsHold(state, rule)) {
      state.evaluations.push({ ruleId: rule.id, effect: rule.effect, outcome: 'applies' });
      (rule.effect === 'forbid' ? state.forbids : state.permits).push(rule);
    }
  }

  const { evaluations, errors, forbids, permits } = state;
  evaluations.sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.effect, b.effect));
  errors.sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.condition, b.condition));

  if (forbids.length > 0) return determinedBy('forbidden', forbids, evaluations, errors);
  if (permits.length > 0) return determinedBy('permitted', permits, evaluations, errors);
  return { outcome: 'not-permitted', determiningRuleIds: [], reasons: [`no rule permits ${request.action}`], evaluations, errors, escalateTo: null };
}

/** The decision of the applicable rules of one effect, sorted by id; only a forbid has someone to escalate to. */
function determinedBy(
  outcome: 'forbidden' | 'permitted',
  rules: readonly PolicyRule[],
  evaluations: RuleEvaluation[],
  errors: DecisionError[],
): PolicyDecision {
  const determining = sortById(rules);
  return {
    outcome,
    determiningRuleIds: determining.map((rule) => rule.id),
    reasons: determining.map((rule) => rule.reason),
    evaluations,
    errors,
    escalateTo: outcome === 'forbidden' ? (determining.find((rule) => rule.escalateTo !== undefined)?.escalateTo ?? null) : null,
  };
}

// Module-level helpers rather than closures per rule: this runs for every rule of every command.
interface DecisionState {
  readonly request: PolicyRequest;
  /** The request converted for CEL, on the first condition evaluated (most decisions of rules without any never do). */
  input: ConditionInputResult | undefined;
  readonly evaluations: RuleEvaluation[];
  readonly errors: DecisionError[];
  readonly forbids: PolicyRule[];
  readonly permits: PolicyRule[];
}

function holdsAny(held: ReadonlySet<string>, roles: readonly string[]): boolean {
  for (const role of roles) if (held.has(role)) return true;
  return false;
}

/** Evaluates `when` then `unless`; records the evaluation when the rule does not apply or errors. */
function conditionsHold(state: DecisionState, rule: PolicyRule): boolean {
  if (rule.when !== undefined) {
    const result = evaluate(state, rule.when);
    if (typeof result !== 'boolean') return failed(state, rule, 'when', result.message);
    if (!result) return notApplicable(state, rule, 'when');
  }
  if (rule.unless !== undefined) {
    const result = evaluate(state, rule.unless);
    if (typeof result !== 'boolean') return failed(state, rule, 'unless', result.message);
    if (result) return notApplicable(state, rule, 'unless');
  }
  return true;
}

/** true / false, or the error message. */
function evaluate(state: DecisionState, source: string): boolean | { message: string } {
  state.input ??= toConditionInput(state.request);
  if (!state.input.ok) return { message: state.input.message };
  const compiled = compileCondition(source);
  if (!compiled.ok) return { message: `condition does not compile: ${describeConditionError(compiled.error)}` };
  const result = compiled.condition.evaluate(state.input.input);
  return result.ok ? result.value : { message: describeConditionError(result.error) };
}

function notApplicable(state: DecisionState, rule: PolicyRule, detail: ConditionName): false {
  state.evaluations.push({ ruleId: rule.id, effect: rule.effect, outcome: 'not-applicable', detail });
  return false;
}

function failed(state: DecisionState, rule: PolicyRule, condition: ConditionName, message: string): false {
  state.evaluations.push({ ruleId: rule.id, effect: rule.effect, outcome: 'error', detail: `${condition}: ${message}` });
  state.errors.push({ ruleId: rule.id, condition, message });
  return false;
}

/** Code-unit order: the same on every machine and locale (unlike localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortById(rules: readonly PolicyRule[]): PolicyRule[] {
  return [...rules].sort((a, b) => compareText(a.id, b.id) || compareText(a.reason, b.reason));
}
