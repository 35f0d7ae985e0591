import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import type { Org } from '../../domain/org/state.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import type { RosterState } from '../../domain/roster/state.ts';
import type { PolicyRequest } from '../../domain/policy/types.ts';
import type { Principal } from '../../domain/shared/principal.ts';
import type { StreamReader } from '../stream-loader.ts';
import { orgPolicy, type EffectivePolicy } from './org-policy.ts';
import { principalFacts } from './principal-facts.ts';
import { ANY_JOB_SPACE } from '../../domain/roster/effective-roles.ts';

/** What a governed request (a command or a read) is about, before the facts around it are looked up. */
export interface PolicyRequestInput {
  principal: Principal;
  action: string;
  orgId: string | null;
  resource: { type: string; id: string | null; jobSpace: string | null };
  /** A command's type and payload; for a read, the read's name and its parameters. */
  command: { type: string; data: unknown };
  /** The decision instant, ISO-8601. */
  now: string;
  /**
   * Count the principal's roles of every job space, not only org-wide ones and those of `resource.jobSpace`: for
   * reads of the org as a whole, where a member limited to one job space is still a member.
   */
  rolesAcrossJobSpaces?: boolean;
}

export interface BuiltPolicyRequest {
  request: PolicyRequest;
  /** The org's rules that apply (published, default or none), evaluated together with the platform policy. */
  policy: EffectivePolicy;
  org: Org | null;
  roster: { state: RosterState; revision: bigint } | null;
}

/**
 * Assembles the request the policy engine decides on, the same way for commands and reads: the org as it is now,
 * the principal's effective roles from the org's roster at this instant (job space applied), and the org's policy.
 */
export async function buildPolicyRequest(reader: StreamReader, input: PolicyRequestInput): Promise<BuiltPolicyRequest> {
  const { orgId, now } = input;
  const org = orgId === null ? null : (await reader.load(orgDecider, orgStream(orgId))).state;
  const roster = orgId === null || org === null ? null : await reader.load(rosterDecider, rosterStream(orgId));
  const policy = await orgPolicy(orgId, org !== null, reader);
  const request: PolicyRequest = {
    principal: await principalFacts(
      input.principal,
      roster?.state ?? null,
      now,
      input.rolesAcrossJobSpaces && input.resource.jobSpace === null ? ANY_JOB_SPACE : input.resource.jobSpace,
      reader,
    ),
    action: input.action,
    resource: { ...input.resource, attributes: {} },
    org: {
      id: orgId,
      status: org?.status ?? null,
      ownerId: org?.owner.id ?? null,
      tags: org?.tags ?? [],
      metadata: org?.metadata ?? {},
    },
    command: input.command,
    now,
  };
  return { request, policy, org, roster: roster ? { state: roster.state, revision: roster.revision } : null };
}
