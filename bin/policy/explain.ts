import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PolicyDecision, PolicyRequest, PolicyRule, RuleEvaluation } from '../../domain/policy/types.ts';
import type { LoadedPolicy } from './policy-file.ts';

/** `permitted`, `forbidden`, `not permitted`: outcomes as a person reads them. */
export function outcomeText(outcome: string): string {
  return outcome.replace('-', ' ');
}

/** `subject dana (roles lead, tier1; groups management)`. */
export function principalText(principal: PolicyRequest['principal']): string {
  const parts = [`roles ${principal.roles.length === 0 ? '(none)' : principal.roles.join(', ')}`];
  if (principal.groups.length > 0) parts.push(`groups ${principal.groups.join(', ')}`);
  return `${principal.kind} ${principal.id} (${parts.join('; ')})`;
}

/** `policy examples/x.yaml: 8 rules (hash 1a2b3c4d5e6f), with the platform policy's 6` */
export function policyText(policy: LoadedPolicy): string {
  const from = policy.source === 'spec' ? ' from the org spec' : '';
  return `policy ${policy.file}: ${policy.rules.length} rule${policy.rules.length === 1 ? '' : 's'}${from} (hash ${policy.hash.slice(0, 12)}), decided with the platform policy's ${platformPolicy.length}`;
}

/**
 * Why a decision came out as it did: what determined it, then every rule written for the action and what became
 * of it (applies, which check it failed, or its condition's error). Rules for other actions are only counted.
 */
export function explainDecision(policy: LoadedPolicy, decision: PolicyDecision, action: string): string[] {
  const lines: string[] = [];
  const byId = ruleIndex(policy);
  if (decision.outcome === 'not-permitted') lines.push(`no rule permits ${action} (deny by default)`);
  else {
    // The evaluator lists reasons in the order of the determining rule ids.
    decision.determiningRuleIds.forEach((id, index) => {
      lines.push(`${decision.outcome} by ${id}: ${decision.reasons[index] ?? ''}`);
    });
  }
  if (decision.escalateTo !== null) lines.push(`escalate to ${decision.escalateTo}`);

  const relevant = decision.evaluations.filter((evaluation) => evaluation.detail !== 'action');
  const others = decision.evaluations.length - relevant.length;
  lines.push(
    `rules for ${action}: ${relevant.length === 0 ? 'none' : relevant.length}${others > 0 ? ` (${others} other rule${others === 1 ? ' is' : 's are'} for other actions)` : ''}`,
  );
  const width = Math.max(0, ...relevant.map((evaluation) => evaluation.ruleId.length));
  for (const evaluation of relevant) {
    lines.push(`  ${evaluation.effect.padEnd(6)} ${evaluation.ruleId.padEnd(width)}  ${evaluationText(evaluation, byId.get(evaluation.ruleId))}`);
  }
  return lines;
}

function evaluationText(evaluation: RuleEvaluation, rule: PolicyRule | undefined): string {
  if (evaluation.outcome === 'applies') return 'applies';
  if (evaluation.outcome === 'error') return `does not apply: its condition failed to evaluate (${evaluation.detail ?? 'error'})`;
  switch (evaluation.detail) {
    case 'role':
      return `does not apply: the principal holds none of its roles (${rule?.roles?.join(', ') ?? ''})`;
    case 'when':
      return 'does not apply: its when is false';
    case 'unless':
      return 'does not apply: its unless is true';
    default:
      return `does not apply${evaluation.detail === undefined ? '' : ` (${evaluation.detail})`}`;
  }
}

function ruleIndex(policy: LoadedPolicy): ReadonlyMap<string, PolicyRule> {
  return new Map([...platformPolicy, ...policy.rules].map((rule) => [rule.id, rule]));
}
