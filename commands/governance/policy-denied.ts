import { appError, type AppError } from '../../domain/shared/app-error.ts';
import type { PolicyDecision } from '../../domain/policy/types.ts';
import type { EffectivePolicy } from './org-policy.ts';

/**
 * The answer to a request the policy did not permit, the same for commands and reads: the outcome, the reasons and
 * determining rules, where to escalate, the policy version, and every rule's outcome. `decisionId` names the
 * recorded decision (commands); reads are not recorded, so theirs is null.
 */
export function policyDenied(action: string, decision: PolicyDecision, policy: EffectivePolicy, decisionId: string | null): AppError {
  return appError('forbidden', 'POLICY_DENIED', decision.reasons.join('; ') || `${action} is not permitted`, {
    decisionId,
    action,
    outcome: decision.outcome,
    reasons: decision.reasons,
    determiningRuleIds: decision.determiningRuleIds,
    escalateTo: decision.escalateTo,
    policy: { source: policy.source, version: policy.version },
    evaluations: decision.evaluations,
    errors: decision.errors,
  });
}
