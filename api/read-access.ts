import { orgNotFound } from '../domain/org/not-found.ts';
import { appError, isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { Principal } from '../domain/shared/principal.ts';
import { decideRead, type ReadAction, type ReadRequest } from '../commands/governance/read-check.ts';
import type { BuiltPolicyRequest } from '../commands/governance/policy-request.ts';
import type { StreamReader } from '../commands/stream-loader.ts';

/**
 * Every read is decided by the policy engine, deny by default, exactly like a command (see
 * commands/governance/read-check.ts): `org.read`, `roster.read`, `policy.read`, `audit.read`, `subject.read`.
 * A denial is 403 POLICY_DENIED with the same explanation a denied command gets. Read decisions are not recorded
 * as events (they would flood the log).
 */
export async function authorizeRead(
  reader: StreamReader,
  principal: Principal | null,
  read: Omit<ReadRequest, 'principal'>,
): Promise<BuiltPolicyRequest | AppError> {
  if (!principal) return appError('unauthenticated', 'UNAUTHENTICATED', 'authentication required');
  const decided = await decideRead(reader, { ...read, principal: { id: principal.id, kind: principal.kind } });
  return decided.allowed ? decided.built : decided.error;
}

/** The read families of an org, each its own action. */
export type OrgReadAction = 'org.read' | 'roster.read' | 'policy.read' | 'audit.read' | 'job.read' | 'workflow.read' | 'tool.read';

/** The resource each family reads, and its read of the org as a whole (what GraphQL's org-wide checks are named). */
export const orgReads: Record<OrgReadAction, { resource: string; query: string }> = {
  'org.read': { resource: 'org', query: 'ReadOrg' },
  'roster.read': { resource: 'roster', query: 'ReadRoster' },
  'policy.read': { resource: 'policy', query: 'ReadPolicies' },
  'audit.read': { resource: 'audit', query: 'ReadDecisions' },
  'job.read': { resource: 'job', query: 'ReadJobs' },
  'workflow.read': { resource: 'workflow', query: 'ReadWorkflows' },
  'tool.read': { resource: 'tool', query: 'ReadTools' },
};

/**
 * A named read of one org's data (`ReadJobs {orgId, status}`), on the resource of its family: REST and GraphQL build
 * it the same way, so a policy condition on `command.type` / `command.data` means the same thing in both.
 */
export function orgRead(
  action: OrgReadAction,
  orgId: string,
  query: { type: string; data: Record<string, unknown> },
  options: { jobSpace?: string | null; now?: string } = {},
): Omit<ReadRequest, 'principal'> {
  return {
    action,
    orgId,
    resource: { type: orgReads[action].resource, id: orgId, jobSpace: options.jobSpace ?? null },
    query: { type: query.type, data: { orgId, ...query.data } },
    ...(options.now === undefined ? {} : { now: options.now }),
  };
}

/** `subject.read` of one subject: platform level (the platform policy decides), the same read in REST and GraphQL. */
export function subjectRead(subjectId: string, options: { now?: string } = {}): Omit<ReadRequest, 'principal'> {
  return {
    action: 'subject.read',
    orgId: null,
    resource: { type: 'subject', id: subjectId },
    query: { type: 'ReadSubject', data: { subjectId } },
    ...(options.now === undefined ? {} : { now: options.now }),
  };
}

/**
 * A read of the platform's own data (metrics, projections, decisions of no org): no org's policy applies, only the
 * platform policy decides it (platform admins).
 */
export function platformRead(
  action: ReadAction,
  resource: { type: string; id: string | null },
  query: { type: string; data: Record<string, unknown> },
): Omit<ReadRequest, 'principal'> {
  return { action, orgId: null, resource, query };
}

/**
 * A REST read of one org's data, decided (`orgRead`); a principal the policy lets read it learns that the org does
 * not exist (ORG_NOT_FOUND), anyone else is denied as for an org that does.
 */
export async function authorizeOrgRead(
  reader: StreamReader,
  principal: Principal | null,
  action: OrgReadAction,
  orgId: string,
  query: { type: string; data: Record<string, unknown> },
  options: { jobSpace?: string | null; now?: string } = {},
): Promise<BuiltPolicyRequest | AppError> {
  const allowed = await authorizeRead(reader, principal, orgRead(action, orgId, query, options));
  if (isAppError(allowed)) return allowed;
  return allowed.org === null ? orgNotFound(orgId) : allowed;
}
