import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { rosterCommandSchema, type RosterCommand } from '../../domain/roster/commands.ts';
import type { RosterDecisionContext, SubjectSnapshot } from '../../domain/roster/context.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { rosterStream, type RosterEvent } from '../../domain/roster/events.ts';
import type { RosterState } from '../../domain/roster/state.ts';
import { subjectCapabilities, verifiedCapabilities } from '../../domain/subject/capabilities.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { actionPerType, type AggregateDefinition } from '../aggregate.ts';
import type { StreamReader } from '../stream-loader.ts';

const actions: Record<RosterCommand['type'], string> = {
  DefineRole: 'roster.role.define',
  RemoveRole: 'roster.role.remove',
  DefineGroup: 'roster.group.define',
  RemoveGroup: 'roster.group.remove',
  DeclareRoleConflict: 'roster.conflict.declare',
  WithdrawRoleConflict: 'roster.conflict.withdraw',
  DefineJobSpace: 'roster.jobspace.define',
  RemoveJobSpace: 'roster.jobspace.remove',
  GrantRole: 'roster.role.grant',
  RevokeRole: 'roster.role.revoke',
  ExpireAssociation: 'roster.association.expire',
  ApplyForRole: 'roster.application.submit',
  ApproveRoleApplication: 'roster.application.approve',
  RejectRoleApplication: 'roster.application.reject',
};

/** The subject a command grants to or is about, when the decision needs its status and capabilities. */
async function subjectOf(command: RosterCommand, reader: StreamReader): Promise<string | null> {
  switch (command.type) {
    case 'GrantRole':
    case 'ApplyForRole':
      return command.data.subjectId;
    case 'ApproveRoleApplication': {
      const roster = await reader.load(rosterDecider, rosterStream(command.data.orgId));
      return roster.state.applications.get(command.data.applicationId)?.subjectId ?? null;
    }
    default:
      return null;
  }
}

/** The subject as the roster of `orgId` sees it: a capability counts as verified only if verified in this org's name. */
export async function subjectSnapshot(subjectId: string, orgId: string, reader: StreamReader): Promise<SubjectSnapshot | null> {
  const { state } = await reader.load(subjectDecider, subjectStream(subjectId));
  if (state === null) return null;
  const verified = verifiedCapabilities(state, orgId);
  const capabilities = new Map(Object.entries(subjectCapabilities(state)).map(([name, level]) => [name, { level, verified: Object.hasOwn(verified, name) }]));
  return { subjectId, status: state.status, capabilities };
}

export const rosterAggregate: AggregateDefinition<RosterCommand, RosterState, RosterEvent, RosterDecisionContext> = {
  name: 'roster',
  commandSchema: rosterCommandSchema,
  decider: rosterDecider,
  streamOf: (command) => rosterStream(command.data.orgId),
  orgIdOf: (command) => command.data.orgId,
  ...actionPerType(actions),
  async loadContext(command, reader, base) {
    const org = await reader.load(orgDecider, orgStream(command.data.orgId));
    const subjectId = await subjectOf(command, reader);
    return {
      ...base,
      orgStatus: org.state?.status ?? null,
      ...(subjectId === null ? {} : { subject: await subjectSnapshot(subjectId, command.data.orgId, reader) }),
    };
  },
};
