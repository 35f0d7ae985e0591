import type { RosterEvent } from './events.ts';
import { conflictKey, type RosterState } from './state.ts';

const withEntry = <V>(map: ReadonlyMap<string, V>, key: string, value: V) => new Map(map).set(key, value);
const without = <V>(map: ReadonlyMap<string, V>, key: string) => {
  const next = new Map(map);
  next.delete(key);
  return next;
};
/** The entry `key` in another status; an entry that is not there stays absent (its event is replayed as a no-op). */
const withStatus = <V extends { status: string }>(map: ReadonlyMap<string, V>, key: string, status: V['status']) => {
  const entry = map.get(key);
  return entry === undefined ? map : withEntry(map, key, { ...entry, status });
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
      return { ...state, associations: withStatus(state.associations, event.data.associationId, 'revoked') };
    case 'AssociationExpired':
      return { ...state, associations: withStatus(state.associations, event.data.associationId, 'expired') };
    case 'RoleApplicationSubmitted':
      return {
        ...state,
        applications: withEntry(state.applications, event.data.application.applicationId, { ...event.data.application, status: 'pending' }),
      };
    case 'RoleApplicationApproved':
      return { ...state, applications: withStatus(state.applications, event.data.applicationId, 'approved') };
    case 'RoleApplicationRejected':
      return { ...state, applications: withStatus(state.applications, event.data.applicationId, 'rejected') };
  }
}
