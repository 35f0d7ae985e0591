import { orgNotFound } from '../domain/org/not-found.ts';
import { isAppError, type AppError } from '../domain/shared/app-error.ts';
import type { BuiltPolicyRequest } from '../commands/governance/policy-request.ts';
import type { DocumentStore, Filter, JsonDocument } from '../infra/documents/port.ts';
import { ASSOCIATIONS } from '../projections/read-models/roster.ts';
import type { RequestAccess } from './graphql/access.ts';
import type { OrgReadAction } from './read-access.ts';
import { findAll } from './graphql/connection.ts';

/**
 * What a principal may list, shared by the GraphQL lists and the REST list routes, so both scope alike: which
 * documents are candidates (a store filter) and which of them the policy lets the principal read (decided per
 * document, remembered per org by RequestAccess). Refusals are the caller's own (callerView shapes them): an outsider
 * naming an org learns nothing more than ORG_NOT_FOUND.
 */
export interface ListScope {
  /** Candidates, AND-ed with the list's own filters; null: every document. */
  filter: Filter | null;
  admit: (document: JsonDocument) => Promise<boolean>;
}

/**
 * Orgs: platform principals may be let through every org; a subject's candidates are the orgs it owns or holds an
 * active association in (listing every org and asking the policy about each would cost a decision per org of the
 * platform for every page), each still decided by `org.read`. An org whose policy lets non-members read it is
 * reachable by id or slug, not listed.
 */
export async function orgListScope(docs: DocumentStore, access: RequestAccess): Promise<ListScope | AppError> {
  const principal = access.principalOrError();
  if (isAppError(principal)) return principal;
  return {
    filter: access.isPlatformPrincipal ? null : await candidateOrgs(docs, principal.id),
    admit: (document) => access.canOrg(document._id, 'org.read'),
  };
}

async function candidateOrgs(docs: DocumentStore, subjectId: string): Promise<Filter> {
  const associations = await findAll(
    docs,
    ASSOCIATIONS,
    {
      and: [
        { field: 'subjectId', op: 'eq', value: subjectId },
        { field: 'status', op: 'eq', value: 'active' },
      ],
    },
    [],
    4900,
  );
  const orgIds = [...new Set(associations.map((association) => association.orgId).filter((id): id is string => typeof id === 'string' && id !== ''))];
  const chunks: Filter[] = [];
  for (let start = 0; start < orgIds.length; start += 100) chunks.push({ field: '_id', op: 'in', value: orgIds.slice(start, start + 100) });
  return { or: [{ field: 'owner.id', op: 'eq', value: subjectId }, ...chunks] };
}

/**
 * Subjects: `subject.read` is platform level (only the platform policy applies): platform principals see every
 * subject, a subject itself only, so the candidate filter is exact and the policy still decides each.
 */
export function subjectListScope(access: RequestAccess): ListScope | AppError {
  const principal = access.principalOrError();
  if (isAppError(principal)) return principal;
  return {
    filter: access.isPlatformPrincipal ? null : { field: '_id', op: 'eq', value: principal.id },
    admit: (document) => access.canSubject(document._id),
  };
}

/**
 * A list of one family of an org's data (`roster.read` for associations, ...), decided as GraphQL's root lists of
 * that family are: ORG_NOT_FOUND for those allowed to learn the org does not exist.
 */
export async function orgFamilyAccess(access: RequestAccess, orgId: string, action: OrgReadAction): Promise<BuiltPolicyRequest | AppError> {
  const decided = await access.org(orgId, action);
  if (isAppError(decided)) return decided;
  if (decided.org === null) return orgNotFound(orgId);
  return decided;
}

/** Whether an association counts at `now`: active, and its expiry (if any) not passed, compared as instants. */
export function associationInForce(document: JsonDocument, now: string): boolean {
  const expiresAt = typeof document.expiresAt === 'string' ? document.expiresAt : null;
  return document.status === 'active' && (expiresAt === null || Date.parse(expiresAt) > Date.parse(now));
}

/**
 * A list of an org's work (contracts, tasks, escalations), decided as its REST route decides it: `job.read` with the
 * read's name (`ReadContracts`, `ReadTasks`, ...) as `command.type`; ORG_NOT_FOUND for those allowed to learn the org
 * does not exist (everyone else gets it from callerView anyway).
 */
export async function workListAccess(
  access: RequestAccess,
  orgId: string,
  type: string,
  data: Record<string, unknown> = {},
): Promise<BuiltPolicyRequest | AppError> {
  const decided = await access.named(orgId, 'job.read', { type, data });
  if (isAppError(decided)) return decided;
  if (decided.org === null) return orgNotFound(orgId);
  return decided;
}
