import { v5 as uuidv5 } from 'uuid';
import { auditStream, type DecisionRecorded } from '../../domain/policy/decision-events.ts';
import { evaluatePolicy } from '../../domain/policy/evaluate.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PreAppendCheck } from '../pre-append-check.ts';
import type { StreamReader } from '../stream-loader.ts';
import { policyDenied } from './policy-denied.ts';
import { buildPolicyRequest } from './policy-request.ts';

const DECISION_NAMESPACE = '3c9b2f1e-7a4d-4e8b-9f60-5d2c1b0a9e87';
const platformPolicyHash = hashPolicyRules(platformPolicy);

/**
 * Every command is decided by policy before its decider runs: the platform policy together with the org's
 * published policy (or the default one), over the principal's effective roles at this instant. The decision is
 * recorded either way: with the change when permitted (same append), in `audit-<orgId>` when denied.
 */
export function governedCheck(reader: StreamReader): PreAppendCheck {
  return async (input) => {
    const { orgId } = input;
    const { request, policy, roster } = await buildPolicyRequest(reader, input);
    const decision = evaluatePolicy([...platformPolicy, ...policy.rules], request);
    const decisionId = uuidv5(`${input.commandId}\u0000${input.streamId}\u0000${input.streamRevision}`, DECISION_NAMESPACE);
    const recorded: DecisionRecorded = {
      type: 'DecisionRecorded',
      data: {
        decisionId,
        orgId,
        action: input.action,
        outcome: decision.outcome,
        determiningRuleIds: decision.determiningRuleIds,
        reasons: decision.reasons,
        escalateTo: decision.escalateTo,
        evaluations: decision.evaluations,
        errors: decision.errors,
        policy: { source: policy.source, version: policy.version, hash: policy.hash },
        platformPolicyHash,
        rosterRevision: roster ? roster.revision.toString() : null,
        request: JSON.parse(JSON.stringify(request)) as Record<string, unknown>,
      },
    };
    if (decision.outcome === 'permitted') return { allowed: true, decisionId, events: [recorded] };
    return {
      allowed: false,
      error: policyDenied(input.action, decision, policy, decisionId),
      record: { streamId: auditStream(orgId), events: [recorded], decisionId },
    };
  };
}
