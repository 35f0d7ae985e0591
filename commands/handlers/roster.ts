import { rosterCommandSchema, type RosterCommand } from '../../domain/roster/commands.ts';
import type { SubjectSnapshot } from '../../domain/roster/context.ts';
import { rosterDecider } from '../../domain/roster/decider.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import { subjectCapabilities, verifiedCapabilities } from '../../domain/subject/capabilities.ts';
import { subjectDecider, subjectStream } from '../../domain/subject/decider.ts';
import { defineAggregate } from '../aggregate.ts';
import { withOrgStatus } from '../org-status-context.ts';
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

export const rosterAggregate = defineAggregate({
  name: 'roster',
  commandSchema: rosterCommandSchema,
  decider: rosterDecider,
  streamOf: (command) => rosterStream(command.data.orgId),
  actionPerType: actions,
  async loadContext(command, reader, base) {
    const withOrg = await withOrgStatus(base, reader, command.data.orgId);
    const subjectId = await subjectOf(command, reader);
    return subjectId === null ? withOrg : { ...withOrg, subject: await subjectSnapshot(subjectId, command.data.orgId, reader) };
  },
});
