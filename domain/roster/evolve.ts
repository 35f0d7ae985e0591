import type { RosterEvent } from './events.ts';
import { conflictKey, type RosterState } from './state.ts';

const withEntry = <V>(map: ReadonlyMap<string, V>, key: string, value: V) => new Map(map).set(key, value);
const without = <V>(map: ReadonlyMap<string, V>, key: string) => {
  const next = new Map(map);
  next.delete(key);
  return next;
};

export function evolveRoster(state: RosterState, event: RosterEvent): RosterState {
  switch (event.type) {
    case 'RoleDefined':
      return { ...state, roles: withEntry(state.roles, event.data.role.name, event.data.role) };
    case 'RoleRemoved':
      return { ...state, roles: without(state.roles, event.data.name) };
    case 'GroupDefined':
      return { ...state, groups: withEntry(state.groups, event.data.group.name, event.data.group) };
    case 'GroupRemoved':
      return { ...state, groups: without(state.groups, event.data.name) };
    case 'RoleConflictDeclared': {
      const [a, b] = event.data.roles;
      return { ...state, conflicts: withEntry(state.conflicts, conflictKey(a, b), { roles: event.data.roles, reason: event.data.reason }) };
    }
    case 'RoleConflictWithdrawn':
      return { ...state, conflicts: without(state.conflicts, conflictKey(...event.data.roles)) };
    case 'JobSpaceDefined':
      return { ...state, jobSpaces: withEntry(state.jobSpaces, event.data.jobSpace.name, event.data.jobSpace) };
    case 'JobSpaceRemoved':
      return { ...state, jobSpaces: without(state.jobSpaces, event.data.name) };
    case 'RoleGranted':
      return {
        ...state,
        associations: withEntry(state.associations, event.data.association.associationId, { ...event.data.association, status: 'active' }),
      };
    case 'RoleRevoked':
    case 'AssociationExpired': {
      const association = state.associations.get(event.data.associationId);
      if (!association) return state;
      const status = event.type === 'RoleRevoked' ? 'revoked' : 'expired';
      return { ...state, associations: withEntry(state.associations, association.associationId, { ...association, status }) };
    }
    case 'RoleApplicationSubmitted':
      return {
        ...state,
        applications: withEntry(state.applications, event.data.application.applicationId, { ...event.data.application, status: 'pending' }),
      };
    case 'RoleApplicationApproved':
    case 'RoleApplicationRejected': {
      const application = state.applications.get(event.data.applicationId);
      if (!application) return state;
      const status = event.type === 'RoleApplicationApproved' ? 'approved' : 'rejected';
      return { ...state, applications: withEntry(state.applications, application.applicationId, { ...application, status }) };
    }
  }
}
