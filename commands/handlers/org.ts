import { orgCommandSchema, type OrgCommand } from '../../domain/org/commands.ts';
import { orgDecider, orgStream } from '../../domain/org/decider.ts';
import { defineAggregate } from '../aggregate.ts';

const actions: Record<OrgCommand['type'], string> = {
  RegisterOrg: 'org.register',
  UpdateOrgMetadata: 'org.update',
  SuspendOrg: 'org.suspend',
  ReactivateOrg: 'org.reactivate',
  ArchiveOrg: 'org.archive',
};

export const orgAggregate = defineAggregate({
  name: 'org',
  commandSchema: orgCommandSchema,
  decider: orgDecider,
  streamOf: (command) => orgStream(command.data.orgId),
  actionOf: (command) => actions[command.type],
  actions: [...Object.values(actions), 'org.child.register'],
  // A child org joins its parent's structure, so the parent's policy has a say (its owner, by default).
  alsoAuthorize: (command) =>
    command.type === 'RegisterOrg' && command.data.parentOrgId !== undefined ? [{ orgId: command.data.parentOrgId, action: 'org.child.register' }] : [],
  async loadContext(command, reader, base) {
    if (command.type !== 'RegisterOrg' || command.data.parentOrgId === undefined) return base;
    const parent = await reader.load(orgDecider, orgStream(command.data.parentOrgId));
    return { ...base, parent: parent.state };
  },
  reservations: (command) =>
    command.type === 'RegisterOrg'
      ? [
          {
            scope: 'org-slug',
            key: command.data.slug,
            conflictCode: 'SLUG_TAKEN',
            conflictMessage: `the slug '${command.data.slug}' is already taken`,
          },
        ]
      : [],
});
