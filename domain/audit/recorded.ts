import { z } from 'zod';
import type { DecisionRecordedData } from '../policy/decision-events.ts';
import type { PolicyDecision, PolicyRequest } from '../policy/types.ts';

/** A DecisionRecorded event, decoded, with where and when it was recorded. */
export interface RecordedDecision {
  position: bigint;
  /** The changed stream when permitted, `audit-<orgId>` when denied. */
  streamId: string;
  occurredAt: string;
  /** The command that was decided (`metadata.commandId`), when the record names it. */
  commandId?: string | null;
  data: DecisionRecordedData;
}

/**
 * The request a decision recorded (`data.request`), checked back into a PolicyRequest: the event's schema keeps it
 * as an open record, so replay checks its shape before evaluating anything with it. Unknown keys are dropped (the
 * evaluator reads only these fields); `command.data` and `resource.attributes` stay exactly as recorded.
 */
export const recordedRequestSchema = z.object({
  principal: z.object({
    id: z.string(),
    kind: z.enum(['admin', 'subject', 'system']),
    roles: z.array(z.string()),
    groups: z.array(z.string()),
    capabilities: z.record(z.string(), z.number()),
  }),
  action: z.string(),
  resource: z.object({
    type: z.string(),
    id: z.string().nullable(),
    jobSpace: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
  }),
  org: z.object({
    id: z.string().nullable(),
    status: z.string().nullable(),
    ownerId: z.string().nullable(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.string()),
  }),
  command: z.object({ type: z.string(), data: z.unknown() }),
  now: z.string(),
});

export type RequestResult = { ok: true; request: PolicyRequest } | { ok: false; message: string };

export function recordedRequest(data: DecisionRecordedData): RequestResult {
  const parsed = recordedRequestSchema.safeParse(data.request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'request' : `request.${issue.path.map(String).join('.')}`;
    return { ok: false, message: `the recorded request is not a policy request (${where}: ${issue?.message ?? 'invalid'})` };
  }
  const request: PolicyRequest = parsed.data;
  if (request.action !== data.action) {
    return { ok: false, message: `the recorded request is for action ${request.action}, the decision for ${data.action}` };
  }
  if (request.org.id !== data.orgId) {
    return { ok: false, message: `the recorded request is about org ${String(request.org.id)}, the decision about ${String(data.orgId)}` };
  }
  return { ok: true, request };
}

/** What a decision said, without its per-rule detail: the part two decisions are compared and shown by. */
export interface DecisionView {
  outcome: PolicyDecision['outcome'];
  determiningRuleIds: string[];
  reasons: string[];
  escalateTo: string | null;
}

export function viewOf(decision: Pick<PolicyDecision, 'outcome' | 'determiningRuleIds' | 'reasons' | 'escalateTo'>): DecisionView {
  return {
    outcome: decision.outcome,
    determiningRuleIds: [...decision.determiningRuleIds],
    reasons: [...decision.reasons],
    escalateTo: decision.escalateTo,
  };
}

/** Who asked, as recorded (the principal with its effective roles at that instant). */
export interface PrincipalView {
  id: string;
  kind: string;
  roles: string[];
}

export function recordedPrincipal(decision: RecordedDecision): PrincipalView {
  const principal = recordedRequestSchema.shape.principal.safeParse(decision.data.request.principal);
  return principal.success ? { id: principal.data.id, kind: principal.data.kind, roles: principal.data.roles } : { id: 'unknown', kind: 'unknown', roles: [] };
}

/** A recorded decision as reports list it. */
export interface DecisionRef {
  decisionId: string;
  position: string;
  streamId: string;
  occurredAt: string;
  action: string;
  principal: PrincipalView;
  policy: DecisionRecordedData['policy'];
  result: { status: DecisionRecordedData['result']['status']; code: string | null };
}

export function refOf(decision: RecordedDecision): DecisionRef {
  return {
    decisionId: decision.data.decisionId,
    position: decision.position.toString(),
    streamId: decision.streamId,
    occurredAt: decision.occurredAt,
    action: decision.data.action,
    principal: recordedPrincipal(decision),
    policy: decision.data.policy,
    result: { status: decision.data.result.status, code: decision.data.result.status === 'refused-by-structure' ? decision.data.result.code : null },
  };
}
