import { evaluatePolicy } from './evaluate.ts';
import type { PolicyRequest, PolicyRule } from './types.ts';

export interface OrgVisibility {
  /**
   * The principal may see that the org exists: it is a platform principal, the org's owner, holds a role in it now
   * (in any job space), or the org's policy lets it read the org (`org.read`, as `GET /orgs/<id>` asks).
   */
  visible: boolean;
  /** It may also read the org's policy (`policy.read`, as `GET /orgs/<id>/policies` asks), so every rule's outcome. */
  mayReadPolicy: boolean;
}

/** The principal is part of the org the request is about: a platform principal, its owner, or a holder of a role. */
export function belongsTo(request: PolicyRequest): boolean {
  const { principal } = request;
  return principal.kind !== 'subject' || principal.roles.length > 0 || (request.org.ownerId !== null && request.org.ownerId === principal.id);
}

/**
 * What a principal may learn about an org. Those who belong to it (its owner, holders of a role in it now, platform
 * principals) know it exists whatever its policy says about reading it; anyone else sees it only if the org's
 * policy (with the platform's) lets it read the org. `request` is the principal's, with its roles in the org across
 * every job space; its action, resource and command are replaced by the reads asked here. An org that does not
 * exist is seen by no one: the caller learns the same about it as about one it may not see.
 */
export function orgVisibility(rules: readonly PolicyRule[], request: PolicyRequest, orgExists: boolean): OrgVisibility {
  const orgId = request.org.id;
  if (orgId === null || !orgExists) return { visible: false, mayReadPolicy: false };
  const asks = (action: 'org.read' | 'policy.read', type: string, query: string) =>
    evaluatePolicy(rules, {
      ...request,
      action,
      resource: { type, id: orgId, jobSpace: null, attributes: {} },
      command: { type: query, data: { orgId } },
    }).outcome === 'permitted';
  const visible = belongsTo(request) || asks('org.read', 'org', 'ReadOrg');
  return { visible, mayReadPolicy: visible && asks('policy.read', 'policy', 'ReadPolicies') };
}
