import { v5 as uuidv5 } from 'uuid';
import { auditStream, type DecisionRecorded, type DecisionResult } from '../../domain/policy/decision-events.ts';
import { decideInOrg } from '../../domain/policy/org-decision.ts';
import { hashPolicyRules } from '../../domain/policy/hash.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import type { PreAppendCheck, PreAppendInput } from '../pre-append-check.ts';
import { withAudience } from '../../domain/shared/app-error.ts';
import { belongsTo } from '../../domain/policy/visibility.ts';
import { policyDenied } from './policy-denied.ts';
import { outsiderAuditStream, refusalAudience } from './refusal-audience.ts';
import { buildPolicyRequest } from './policy-request.ts';

const DECISION_NAMESPACE = '3c9b2f1e-7a4d-4e8b-9f60-5d2c1b0a9e87';
const platformPolicyHash = hashPolicyRules(platformPolicy);

/** One decision: the command's own (index 0), or another org's consent it also needs. */
async function decideOne(input: PreAppendInput, orgId: string | null, action: string, index: number) {
  // The attempt's reader: the policy sees the streams exactly as the decision context did.
  const { request, policy, roster } = await buildPolicyRequest(input.reader, { ...input, orgId, action });
  const decision = decideInOrg(policy.rules, request);
  const decisionId = uuidv5(`${input.commandId}\u0000${input.streamId}\u0000${input.streamRevision}\u0000${index}`, DECISION_NAMESPACE);
  // The command's outcome is known only after its decider (or the other orgs' consent) has spoken: each record is
  // built for the outcome it is appended with.
  const recorded = (result: DecisionResult): DecisionRecorded => ({
    type: 'DecisionRecorded',
    data: {
      decisionId,
      orgId,
      action,
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
      result,
    },
  });
  return { orgId, action, decision, decisionId, recorded, policy, request };
}

/**
 * Every command is decided by policy before its decider runs: the platform policy together with the org's
 * published policy (or the default one), over the principal's effective roles at this instant. The decision is
 * recorded either way: with the change when permitted (same append), in `audit-<orgId>` when denied, or in the
 * principal's own `audit-outsider.<id>` when it may not see the org (refusal-audience.ts), which is also whom the
 * refusal is told to.
 */
export const governedCheck: PreAppendCheck = async (input) => {
  // The command's own decision first; then any other org whose say it needs (a parent org for a child org).
  const main = await decideOne(input, input.orgId, input.action, 0);
  const decisions = [main];
  for (const [index, extra] of input.alsoAuthorize.entries()) {
    if (decisions.at(-1)?.decision.outcome !== 'permitted') break;
    decisions.push(await decideOne(input, extra.orgId, extra.action, index + 1));
  }
  const denied = decisions.find((item) => item.decision.outcome !== 'permitted');
  const basis = { streamId: input.streamId, revision: input.streamRevision.toString() };
  // Each decision's own audit stream, for when it is recorded apart from a change; a decision about an org the
  // principal may not see goes to the principal's own stream instead, so outsiders never grow another org's log.
  const audiences = new Map<string | null, Awaited<ReturnType<typeof refusalAudience>>>();
  const audienceOf = async (orgId: string | null, whenAbsent: 'outsider' | 'none') => {
    if (!audiences.has(orgId)) audiences.set(orgId, await refusalAudience(input.reader, input.principal, orgId, input.now, whenAbsent));
    return audiences.get(orgId);
  };
  type Placed = { item: (typeof decisions)[number]; streamId: string };
  const placedAside = async (whenAbsent: 'outsider' | 'none') => {
    const placed: Placed[] = [];
    for (const item of decisions) {
      const outsider = (await audienceOf(item.orgId, whenAbsent))?.kind === 'outsider';
      placed.push({ item, streamId: outsider ? outsiderAuditStream(input.principal.id) : auditStream(item.orgId) });
    }
    return placed;
  };
  const aside = (placed: readonly Placed[], result: DecisionResult) =>
    placed.map(({ item, streamId }) => ({ streamId, events: [item.recorded(result)], decisionId: item.decisionId }));
  if (!denied) {
    const events = decisions.map((item) => item.recorded({ status: 'applied', basis }));
    // A principal that is part of every org it acts in (a platform principal, a member, the owner) sees them all:
    // nothing to shape, no second look-up. Anyone else's later refusal by the org's structure is told as to its
    // audience, and recorded where it pays.
    if (decisions.every((item) => belongsTo(item.request))) {
      const placed = decisions.map((item) => ({ item, streamId: auditStream(item.orgId) }));
      return {
        allowed: true,
        decisionId: main.decisionId,
        events,
        refusedByStructure: (refusal) => aside(placed, { status: 'refused-by-structure', ...refusal, basis }),
      };
    }
    const placed = await placedAside('none');
    const audience = await audienceOf(main.orgId, 'none');
    return {
      allowed: true,
      decisionId: main.decisionId,
      events,
      refusedByStructure: (refusal) => aside(placed, { status: 'refused-by-structure', ...refusal, basis }),
      ...(audience ? { audience } : {}),
    };
  }
  const error = policyDenied(denied.action, denied.decision, denied.policy, denied.decisionId);
  const records = aside(await placedAside('outsider'), { status: 'refused-by-policy' });
  return { allowed: false, error: withAudience(error, await audienceOf(denied.orgId, 'outsider')), records };
};
