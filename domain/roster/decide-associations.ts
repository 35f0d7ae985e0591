import { appError, type AppError } from '../shared/app-error.ts';
import type { RosterDecisionContext } from './context.ts';
import type { RosterCommandOf } from './commands.ts';
import { holdersOf } from './effective-roles.ts';
import type { RosterEvent } from './events.ts';
import { checkGrant } from './grant-checks.ts';
import { isActive, type RosterState } from './state.ts';

type Decision = readonly RosterEvent[] | AppError;

export function grantRole({ data }: RosterCommandOf<'GrantRole'>, state: RosterState, context: RosterDecisionContext): Decision {
  if (state.associations.has(data.associationId)) {
    return appError('conflict', 'ASSOCIATION_ID_TAKEN', `association ${data.associationId} already exists`, { associationId: data.associationId });
  }
  if (context.principal.kind === 'subject' && context.principal.id === data.subjectId) {
    return appError('forbidden', 'SELF_GRANT', 'a subject cannot grant itself a role', { subjectId: data.subjectId, role: data.role });
  }
  // A subject delegates only its own holding; only the platform may record a delegation on someone's behalf.
  if (context.principal.kind === 'subject' && data.parentSubjectId !== null && data.parentSubjectId !== context.principal.id) {
    return appError('forbidden', 'DELEGATION_ON_BEHALF', 'a subject can only delegate a role it holds itself', {
      parentSubjectId: data.parentSubjectId,
    });
  }
  const refused = checkGrant(state, data, context);
  if (refused) return refused;
  const { orgId, ...rest } = data;
  return [
    {
      type: 'RoleGranted',
      data: { orgId, association: { ...rest, grantedBy: context.principal, grantedAt: context.now, applicationId: null } },
    },
  ];
}

export function revokeRole({ data }: RosterCommandOf<'RevokeRole'>, state: RosterState, context: RosterDecisionContext): Decision {
  const association = state.associations.get(data.associationId);
  if (!association)
    return appError('not_found', 'ASSOCIATION_NOT_FOUND', `association ${data.associationId} does not exist`, { associationId: data.associationId });
  if (!isActive(association, context.now)) {
    return appError('conflict', 'ASSOCIATION_NOT_ACTIVE', `association ${data.associationId} is no longer active`, {
      associationId: data.associationId,
      status: association.status,
    });
  }
  const role = state.roles.get(association.role);
  const holders = holdersOf(state, association.role, context.now);
  const stillHeld = [...state.associations.values()].some(
    (other) =>
      other.associationId !== association.associationId &&
      other.subjectId === association.subjectId &&
      other.role === association.role &&
      isActive(other, context.now),
  );
  const after = stillHeld ? holders.size : holders.size - 1;
  if (role && after < role.minHolders) {
    return appError('conflict', 'ROLE_MIN_HOLDERS', `role ${association.role} needs at least ${role.minHolders} holders`, {
      role: association.role,
      minHolders: role.minHolders,
      holders: holders.size,
    });
  }
  return [{ type: 'RoleRevoked', data: { orgId: data.orgId, associationId: data.associationId, reason: data.reason, revokedBy: context.principal } }];
}

/** Records an expiry that has already happened in effect; min holders cannot stop time. */
export function expireAssociation({ data }: RosterCommandOf<'ExpireAssociation'>, state: RosterState, context: RosterDecisionContext): Decision {
  const association = state.associations.get(data.associationId);
  if (!association)
    return appError('not_found', 'ASSOCIATION_NOT_FOUND', `association ${data.associationId} does not exist`, { associationId: data.associationId });
  if (association.status !== 'active') return [];
  if (association.expiresAt === null || Date.parse(association.expiresAt) > Date.parse(context.now)) {
    return appError('conflict', 'NOT_YET_EXPIRED', `association ${data.associationId} has not expired`, {
      associationId: data.associationId,
      expiresAt: association.expiresAt,
    });
  }
  return [{ type: 'AssociationExpired', data: { orgId: data.orgId, associationId: data.associationId, expiredAt: association.expiresAt } }];
}
