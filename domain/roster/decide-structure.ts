import { appError, type AppError } from '../shared/app-error.ts';
import { isReservedRoleName, RESERVED_ROLE_PREFIX } from '../shared/platform-roles.ts';
import type { RosterCommandOf } from './commands.ts';
import { holdersOf } from './effective-roles.ts';
import type { RosterEvent } from './events.ts';
import type { GroupDefinition, RoleDefinition } from './fields.ts';
import { conflictKey, isActive, type RosterState } from './state.ts';
import type { RosterDecisionContext } from './context.ts';

type Decision = readonly RosterEvent[] | AppError;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function defineRole({ data }: RosterCommandOf<'DefineRole'>, state: RosterState, context: RosterDecisionContext): Decision {
  const { role, orgId } = data;
  if (isReservedRoleName(role.name)) {
    return appError('invalid', 'ROLE_NAME_RESERVED', `role names starting with '${RESERVED_ROLE_PREFIX}' are the platform's: choose another name`, {
      field: 'role.name',
      reservedPrefix: RESERVED_ROLE_PREFIX,
    });
  }
  const current = state.roles.get(role.name);
  if (current && same(current, role)) return [];
  const missing = role.inherits.filter((name) => !state.roles.has(name));
  if (missing.length > 0) return appError('unprocessable', 'ROLE_NOT_FOUND', `inherited roles do not exist: ${missing.join(', ')}`, { missing });
  const cycle = inheritanceCycle(state, role);
  if (cycle) return appError('unprocessable', 'INHERITANCE_CYCLE', `role inheritance would form a cycle: ${cycle.join(' -> ')}`, { cycle });
  const holders = holdersOf(state, role.name, context.now).size;
  if (role.maxHolders !== null && holders > role.maxHolders) {
    return appError('conflict', 'ROLE_MAX_BELOW_HOLDERS', `role ${role.name} has ${holders} holders, more than the new maximum ${role.maxHolders}`, {
      role: role.name,
      holders,
      maxHolders: role.maxHolders,
    });
  }
  return [{ type: 'RoleDefined', data: { orgId, role } }];
}

function inheritanceCycle(state: RosterState, role: RoleDefinition): string[] | null {
  const walk = (name: string, path: string[]): string[] | null => {
    if (name === role.name) return [...path, name];
    if (path.includes(name)) return null;
    for (const next of state.roles.get(name)?.inherits ?? []) {
      const found = walk(next, [...path, name]);
      if (found) return found;
    }
    return null;
  };
  for (const inherited of role.inherits) {
    const found = walk(inherited, [role.name]);
    if (found) return found;
  }
  return null;
}

export function removeRole({ data }: RosterCommandOf<'RemoveRole'>, state: RosterState, context: RosterDecisionContext): Decision {
  const { name, orgId } = data;
  if (!state.roles.has(name)) return appError('not_found', 'ROLE_NOT_FOUND', `role ${name} does not exist`, { role: name });
  const holders = holdersOf(state, name, context.now).size;
  if (holders > 0) return appError('conflict', 'ROLE_HAS_HOLDERS', `role ${name} still has ${holders} holders`, { role: name, holders });
  const usedBy = {
    inheritedBy: [...state.roles.values()].filter((role) => role.inherits.includes(name)).map((role) => role.name),
    groups: [...state.groups.values()].filter((group) => group.roles.includes(name)).map((group) => group.name),
    conflicts: [...state.conflicts.values()].filter((conflict) => conflict.roles.includes(name)).map((conflict) => [...conflict.roles]),
    pendingApplications: [...state.applications.values()].filter((a) => a.role === name && a.status === 'pending').map((a) => a.applicationId),
  };
  if (Object.values(usedBy).some((uses) => uses.length > 0)) {
    return appError('conflict', 'ROLE_IN_USE', `role ${name} is still referenced`, { role: name, ...usedBy });
  }
  return [{ type: 'RoleRemoved', data: { orgId, name } }];
}

export function defineGroup({ data }: RosterCommandOf<'DefineGroup'>, state: RosterState): Decision {
  const { group, orgId } = data;
  if (same(state.groups.get(group.name), group)) return [];
  const missingRoles = group.roles.filter((role) => !state.roles.has(role));
  if (missingRoles.length > 0) return appError('unprocessable', 'ROLE_NOT_FOUND', `roles do not exist: ${missingRoles.join(', ')}`, { missing: missingRoles });
  if (group.parent !== null && !state.groups.has(group.parent)) {
    return appError('unprocessable', 'GROUP_NOT_FOUND', `parent group ${group.parent} does not exist`, { group: group.parent });
  }
  if (parentCycle(state, group)) return appError('unprocessable', 'GROUP_CYCLE', `group ${group.name} would be its own ancestor`, { group: group.name });
  return [{ type: 'GroupDefined', data: { orgId, group } }];
}

function parentCycle(state: RosterState, group: GroupDefinition): boolean {
  const seen = new Set<string>([group.name]);
  for (let current = group.parent; current !== null; current = state.groups.get(current)?.parent ?? null) {
    if (seen.has(current)) return true;
    seen.add(current);
  }
  return false;
}

export function removeGroup({ data }: RosterCommandOf<'RemoveGroup'>, state: RosterState): Decision {
  if (!state.groups.has(data.name)) return appError('not_found', 'GROUP_NOT_FOUND', `group ${data.name} does not exist`, { group: data.name });
  const subgroups = [...state.groups.values()].filter((group) => group.parent === data.name).map((group) => group.name);
  if (subgroups.length > 0) return appError('conflict', 'GROUP_IN_USE', `group ${data.name} has subgroups`, { group: data.name, subgroups });
  return [{ type: 'GroupRemoved', data: { orgId: data.orgId, name: data.name } }];
}

export function declareRoleConflict({ data }: RosterCommandOf<'DeclareRoleConflict'>, state: RosterState, context: RosterDecisionContext): Decision {
  const [a, b] = data.roles;
  const missing = [a, b].filter((role) => !state.roles.has(role));
  if (missing.length > 0) return appError('unprocessable', 'ROLE_NOT_FOUND', `roles do not exist: ${missing.join(', ')}`, { missing });
  const existing = state.conflicts.get(conflictKey(a, b));
  if (existing && existing.reason === data.reason) return [];
  const holdersOfA = new Set<string>();
  const violating = new Set<string>();
  for (const association of state.associations.values()) {
    if (isActive(association, context.now) && association.role === a) holdersOfA.add(association.subjectId);
  }
  for (const association of state.associations.values()) {
    if (isActive(association, context.now) && association.role === b && holdersOfA.has(association.subjectId)) violating.add(association.subjectId);
  }
  if (violating.size > 0) {
    return appError('conflict', 'CONFLICT_VIOLATED_BY_HOLDERS', `subjects already hold both ${a} and ${b}`, { roles: [a, b], subjects: [...violating] });
  }
  return [{ type: 'RoleConflictDeclared', data: { orgId: data.orgId, roles: [a, b], reason: data.reason } }];
}

export function withdrawRoleConflict({ data }: RosterCommandOf<'WithdrawRoleConflict'>, state: RosterState): Decision {
  if (!state.conflicts.has(conflictKey(...data.roles))) {
    return appError('not_found', 'CONFLICT_NOT_FOUND', `no conflict is declared between ${data.roles.join(' and ')}`, { roles: data.roles });
  }
  return [{ type: 'RoleConflictWithdrawn', data: { orgId: data.orgId, roles: data.roles } }];
}

export function defineJobSpace({ data }: RosterCommandOf<'DefineJobSpace'>, state: RosterState): Decision {
  if (same(state.jobSpaces.get(data.jobSpace.name), data.jobSpace)) return [];
  return [{ type: 'JobSpaceDefined', data: { orgId: data.orgId, jobSpace: data.jobSpace } }];
}

export function removeJobSpace({ data }: RosterCommandOf<'RemoveJobSpace'>, state: RosterState, context: RosterDecisionContext): Decision {
  if (!state.jobSpaces.has(data.name)) return appError('not_found', 'JOB_SPACE_NOT_FOUND', `job space ${data.name} does not exist`, { jobSpace: data.name });
  const inUse = [...state.associations.values()].filter((a) => a.jobSpace === data.name && isActive(a, context.now)).map((a) => a.associationId);
  if (inUse.length > 0)
    return appError('conflict', 'JOB_SPACE_IN_USE', `job space ${data.name} has active associations`, { jobSpace: data.name, associations: inUse });
  return [{ type: 'JobSpaceRemoved', data: { orgId: data.orgId, name: data.name } }];
}
