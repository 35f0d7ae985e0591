import type { PolicyDecision, PolicyRequest } from '../../domain/policy/types.ts';
import { explainDecision, outcomeText, policyText, principalText } from './explain.ts';
import { policySummary } from './format-test-run.ts';
import type { LoadedPolicy } from './policy-file.ts';

/** `policy eval` output for people: the outcome and who asked what, why, and the policy it was decided with. */
export function formatEvaluation(policy: LoadedPolicy, request: PolicyRequest, decision: PolicyDecision): string {
  const lines = [
    `${outcomeText(decision.outcome)}: ${principalText(request.principal)} asks ${request.action} at ${request.now}`,
    ...explainDecision(policy, decision, request.action).map((line) => `  ${line}`),
    policyText(policy),
  ];
  return `${lines.join('\n')}\n`;
}

/** `policy eval --format json`: the request as evaluated (effective roles and defaults filled in) and the decision. */
export function evaluationJson(policy: LoadedPolicy, request: PolicyRequest, decision: PolicyDecision): string {
  return `${JSON.stringify({ policy: policySummary(policy), request, decision }, null, 2)}\n`;
}
