import { orgNotFound } from '../../domain/org/not-found.ts';
import { platformPolicy } from '../../domain/policy/platform-policy.ts';
import { orgVisibility } from '../../domain/policy/visibility.ts';
import type { Audience } from '../../domain/shared/app-error.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { StreamReader } from '../stream-loader.ts';
import { buildPolicyRequest } from './policy-request.ts';

/**
 * The one place that decides whether a principal may see that an org exists, for every refusal of a request about
 * the org (commands and reads, REST, GraphQL, streams, the agents' bus): a principal that may not read the org is
 * an outsider, told what it would be told if the org did not exist. Its roles count across every job space (a member
 * limited to one job space is still a member). Null `orgId`: a platform-level request, nothing to hide.
 *
 * An org that does not exist is hidden from everyone when a request about it is refused by policy (the answer for
 * an unknown org and a hidden one must be the same); `whenAbsent: 'none'` is for a request its policy permitted
 * (registering that very org): there is nothing to hide yet.
 */
export async function refusalAudience(
  reader: StreamReader,
  principal: Principal,
  orgId: string | null,
  now: string,
  whenAbsent: 'outsider' | 'none' = 'outsider',
): Promise<Audience | undefined> {
  if (orgId === null) return undefined;
  const built = await buildPolicyRequest(reader, {
    principal,
    action: 'org.read',
    orgId,
    resource: { type: 'org', id: orgId, jobSpace: null },
    command: { type: 'ReadOrg', data: { orgId } },
    now,
    rolesAcrossJobSpaces: true,
  });
  if (built.org === null && whenAbsent === 'none') return undefined;
  const seen = orgVisibility([...platformPolicy, ...built.policy.rules], built.request, built.org !== null);
  return seen.visible ? { kind: 'member', mayReadPolicy: seen.mayReadPolicy } : { kind: 'outsider', notFound: orgNotFound(orgId) };
}

/** Where a decision refused to an outsider is recorded: the outsider's own audit stream, never the org's. */
export const outsiderAuditStream = (principalId: string) => `audit-outsider.${principalId}`;
