import type { Principal } from '../../domain/shared/principal.ts';
import { isReservedRoleName, platformRoles } from '../../domain/shared/platform-roles.ts';
import { type ANY_JOB_SPACE, effectiveRoles } from '../../domain/roster/effective-roles.ts';
import type { RosterState } from '../../domain/roster/state.ts';
import { subjectCapabilities } from '../../domain/subject/capabilities.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';
import type { StreamReader } from '../stream-loader.ts';

/** Who the principal is in the org at this instant, as the policy sees it. */
export async function principalFacts(
  principal: Principal,
  roster: RosterState | null,
  now: string,
  jobSpace: string | null | typeof ANY_JOB_SPACE,
  reader: StreamReader,
): Promise<PolicyRequest['principal']> {
  if (principal.kind !== 'subject') {
    return { id: principal.id, kind: principal.kind, roles: platformRoles[principal.kind], groups: [], capabilities: {} };
  }
  const effective = roster ? effectiveRoles(roster, principal.id, now, jobSpace) : { roles: [], groups: [] };
  // Platform role names are the platform's (their permits are in the platform policy): a subject never holds one,
  // even through an org role of that name defined before such names were reserved.
  const roles = effective.roles.filter((role) => !isReservedRoleName(role));
  const subject = await reader.load(subjectDecider, subjectStream(principal.id));
  return { id: principal.id, kind: 'subject', roles, groups: effective.groups, capabilities: subjectCapabilities(subject.state) };
}
