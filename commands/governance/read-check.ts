import { withAudience, type AppError } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import { decideInOrg } from '../../domain/policy/org-decision.ts';
import type { PolicyDecision } from '../../domain/policy/types.ts';
import type { readActions } from '../known-actions.ts';
import type { StreamReader } from '../stream-loader.ts';
import { policyDenied } from './policy-denied.ts';
import { buildPolicyRequest, type BuiltPolicyRequest } from './policy-request.ts';
import { refusalAudience } from './refusal-audience.ts';

export type ReadAction = (typeof readActions)[number];

export interface ReadRequest {
  principal: Principal;
  action: ReadAction;
  /** The org whose policy governs the read; null for platform-level resources (a subject). */
  orgId: string | null;
  resource: { type: string; id: string | null; jobSpace?: string | null };
  /** The read's name and parameters, which conditions see as `command` (e.g. `command.data.subjectId`). */
  query: { type: string; data: Record<string, unknown> };
  now?: string;
}

export type ReadDecision =
  | { allowed: true; decision: PolicyDecision; built: BuiltPolicyRequest }
  | { allowed: false; error: AppError; decision: PolicyDecision };

/**
 * Reads are governed like commands: the same request (principal with effective roles, action, resource, org,
 * `command` = the read's parameters, now), the same rules (platform policy plus the org's published or default
 * policy), deny by default. A denial answers with the same explanation a denied command gets.
 *
 * Read decisions are NOT recorded as events: every GET would append one, flooding the log (and the audit trail)
 * with decisions that changed nothing; the log records what changed the platform and what was refused a change.
 */
export async function decideRead(reader: StreamReader, read: ReadRequest): Promise<ReadDecision> {
  const now = read.now ?? new Date().toISOString();
  const built = await buildPolicyRequest(reader, {
    principal: read.principal,
    action: read.action,
    orgId: read.orgId,
    resource: { type: read.resource.type, id: read.resource.id, jobSpace: read.resource.jobSpace ?? null },
    command: read.query,
    now,
    rolesAcrossJobSpaces: true,
  });
  const decision = decideInOrg(built.policy.rules, built.request);
  if (decision.outcome === 'permitted') return { allowed: true, decision, built };
  // Told as to its audience: a principal that may not see the org learns what it would if the org did not exist.
  const audience = await refusalAudience(reader, read.principal, read.orgId, now);
  return { allowed: false, decision, error: withAudience(policyDenied(read.action, decision, built.policy, null), audience) };
}
