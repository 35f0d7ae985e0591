import { evaluatePolicy } from './evaluate.ts';
import type { PolicyRequest, PolicyRule } from './types.ts';

export interface OrgVisibility {
  /** The principal may see that the org exists: it may read it (`org.read`, as `GET /orgs/<id>` asks). */
  visible: boolean;
  /** It may also read the org's policy (`policy.read`, as `GET /orgs/<id>/policies` asks), so every rule's outcome. */
  mayReadPolicy: boolean;
}

/**
 * What a principal may learn about an org, decided by the same rules as everything else (platform policy plus the
 * org's published or default one) over a request about the org: `request` is the principal's, with its roles in
 * the org across every job space; its action, resource and command are replaced by the two reads asked here.
 * An org that does not exist (`request.org.id` set, status null) is seen by no one: the caller learns the same
 * about it as about one it may not read.
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
  const visible = asks('org.read', 'org', 'ReadOrg');
  return { visible, mayReadPolicy: visible && asks('policy.read', 'policy', 'ReadPolicies') };
}
